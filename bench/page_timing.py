"""What the page benchmarks share (`portfolio_pages.py`, `segments_pages.py`): their command
line and Django set up against the benchmark database, and the timing of a list of pages
with Django's test client — one warm-up request, then the median of the timed ones, printed
as a Markdown table."""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

Page = tuple[str, str, dict[str, Any]]  # (name in the table, path, query parameters)


def setup(description: str, *, runs: int) -> argparse.Namespace:
    """`--deals N` (which benchmark database) and `--runs`; Django set up on that database."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--deals", type=int, required=True)
    parser.add_argument("--runs", type=int, default=runs)
    args = parser.parse_args()

    import benchdb

    benchdb.setup_django(args.deals)
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    return args


def time_pages(user: Any, pages: list[Page], runs: int) -> None:
    """Each page as `user`: the status, the median and every timed run, one table row each."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    print("| page | status | median ms | runs ms |\n| --- | ---: | ---: | --- |")
    for name, path, params in pages:
        client.get(path, params)  # warm-up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(path, params)
            times.append((time.perf_counter() - started) * 1000)
        runs_ms = ", ".join(f"{t:.0f}" for t in times)
        median = statistics.median(times)
        print(f"| {name} | {response.status_code} | {median:.0f} | {runs_ms} |", flush=True)
