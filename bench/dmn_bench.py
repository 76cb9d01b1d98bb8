"""`dmn_eval`: decision-table evaluations/s with feeldmn vs a hand-written Python
`if` chain for the same table (the seed's discount price-list table: 9 rules, 3 inputs, hit
policy UNIQUE). Both must give the same answer for every sampled input."""

from __future__ import annotations

import random
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from greenwave.datagen.benchreport import BenchResult, verdict

TARGET = 0.2
ROUNDS = 4
TABLE = Path(__file__).resolve().parent.parent / (
    "src/greenwave/decisions/library/discount_price_list.dmn"
)
SEGMENTS = ("ключевой", "крупный опт", "мелкий опт", "новый")
HISTORIES = ("хорошая", "с задержками", "с просрочками")


def by_hand(segment: str, payment_history: str, order_volume: float) -> dict[str, Any] | None:
    """The same nine rules written as Python (the ceiling): a level and comment per branch,
    one dict built at the end."""
    if payment_history == "с просрочками":
        level, comment = 1, "Есть просрочки оплаты: только минимальная скидка"
    elif order_volume < 100000:
        level, comment = 1, "Небольшой заказ"
    elif segment == "ключевой":
        if order_volume >= 1000000:
            level, comment = 5, "Ключевой клиент, крупный заказ"
        else:
            level, comment = 4, "Ключевой клиент"
    elif segment == "крупный опт":
        if payment_history == "хорошая":
            if order_volume >= 1000000:
                level, comment = 4, "Крупный опт, крупный заказ, платит вовремя"
            else:
                level, comment = 3, "Крупный опт, платит вовремя"
        elif payment_history == "с задержками":
            level, comment = 2, "Крупный опт, платежи с задержками"
        else:
            return None
    elif segment in ("мелкий опт", "новый"):
        if order_volume >= 500000:
            level, comment = 3, "Крупный заказ мелкого или нового клиента"
        else:
            level, comment = 2, "Средний заказ"
    else:
        return None
    return {"price_list_level": level, "comment": comment}


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: int(v) if isinstance(v, Decimal) else v for k, v in value.items()}
    return value


def bench_dmn(*, seconds: float) -> BenchResult:
    from feeldmn import DmnModel

    model = DmnModel.from_bytes(TABLE.read_bytes())
    rng = random.Random(7)
    samples = [
        {
            "segment": rng.choice(SEGMENTS),
            "payment_history": rng.choice(HISTORIES),
            "order_volume": rng.choice(
                (50_000, 99_999, 100_000, 250_000, 500_000, 999_999, 1_000_000, 3_000_000)
            ),
        }
        for _ in range(500)
    ]
    for s in samples:
        ours = _normal(model.evaluate("discount_price_list", s).value)
        hand = by_hand(str(s["segment"]), str(s["payment_history"]), float(s["order_volume"]))
        if ours != hand:
            raise AssertionError(f"dmn and the if-chain differ on {s}: {ours} vs {hand}")

    def window(func: Any, length: float) -> tuple[int, float]:
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < length:
            for s in samples:
                func(s)
            done += len(samples)
        return done, time.perf_counter() - started

    # Alternating windows (ROUNDS a side, each a ROUNDS-th of the time), so that a change
    # in the shared machine's load falls on both sides alike.
    sides = {
        "ours": lambda s: model.evaluate("discount_price_list", s),
        "hand": lambda s: by_hand(**s),
    }
    totals = {name: [0, 0.0] for name in sides}
    for _ in range(ROUNDS):
        for name, func in sides.items():
            done, spent = window(func, seconds / ROUNDS)
            totals[name][0] += done
            totals[name][1] += spent
    ours_rate = totals["ours"][0] / totals["ours"][1]
    hand_rate = totals["hand"][0] / totals["hand"][1]
    return verdict(
        "dmn_eval",
        ours=ours_rate,
        ceiling=hand_rate,
        target=TARGET,
        details=f"discount table 9 rules × 3 inputs: DmnModel.evaluate {ours_rate:,.0f}/s vs "
        f"if-chain {hand_rate:,.0f}/s, 500 inputs, answers equal, {ROUNDS} alternating "
        "windows a side",
        figures={"ours_per_s": ours_rate, "ceiling_per_s": hand_rate},
    )
