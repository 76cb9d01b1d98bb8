"""Time each home page card of the director (what the home page of `analytics_pages.py` sums).

`BENCH_DB=<database> .venv/bin/python bench/home_cards.py --deals N` calls every registered
card's context function for `gen_director_01`: one warm-up, then the median of `--runs`, as a
Markdown table. It reads only.
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import benchdb

    benchdb.setup_django(args.deals)
    from greenwave.accounts.models import User
    from greenwave.core import home

    director = User.objects.get(username="gen_director_01")
    print("| card | median ms | runs ms |")
    print("| --- | ---: | --- |")
    for card in sorted(home._CARDS.values(), key=lambda c: (c.order, c.key)):
        card.context(director)  # warm-up
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            card.context(director)
            times.append((time.perf_counter() - started) * 1000)
        runs = ", ".join(f"{t:.0f}" for t in times)
        print(f"| {card.key} | {statistics.median(times):.0f} | {runs} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
