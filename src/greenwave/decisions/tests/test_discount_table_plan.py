"""The seed's discount table takes the engine's shortcut and answers as the general way.

``feeldmn`` plans a decision that is one table over input data with constant cells (see
``feeldmn.evaluator._Plan``); a mapping that is not a dict takes the general way. The engine's
own tests do this for random tables; here it is the table Greenwave ships.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from feeldmn.evaluator import DmnModel
from feeldmn.tests.test_fast_path import assert_as_the_general_way

DISCOUNT_TABLE = Path(__file__).parents[1] / "library/discount_price_list.dmn"


def test_the_discount_table_is_planned_with_its_shortcut() -> None:
    model = DmnModel.from_bytes(DISCOUNT_TABLE.read_bytes())
    answer = model.evaluate(
        "discount_price_list",
        {"segment": "ключевой", "payment_history": "хорошая", "order_volume": 250_000},
    )
    assert answer.value == {"price_list_level": Decimal(4), "comment": "Ключевой клиент"}
    assert [m.rule_id for m in answer.matched_rules["discount_price_list"]] == ["discount_table_r4"]
    plan = model._plans["discount_price_list"]
    assert plan is not None
    assert plan.quick is not None


SEGMENTS = ["ключевой", "крупный опт", "мелкий опт", "новый", "другой", None, 1]
HISTORIES = ["хорошая", "с задержками", "с просрочками", "", None]
VOLUMES: list[Any] = [
    *(50_000, 99_999, 100_000, 250_000, 500_000, 999_999, 1_000_000, 3_000_000),
    *(Decimal("99999.99"), Decimal("1E+6"), 100_000.5, -1, None, "много", True),
]


@pytest.mark.parametrize("segment", SEGMENTS)
def test_the_discount_table_evaluates_as_the_general_way(segment: Any) -> None:
    model = DmnModel.from_bytes(DISCOUNT_TABLE.read_bytes())
    for history in HISTORIES:
        for volume in VOLUMES:
            inputs = {"segment": segment, "payment_history": history, "order_volume": volume}
            assert_as_the_general_way(model, "discount_price_list", inputs)
