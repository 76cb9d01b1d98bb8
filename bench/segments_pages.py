"""Time the segments pages (issue 19) as the director, the head of the biggest team and a
manager of that team.

`BENCH_DB=<database> PYTHONPATH=src:bench .venv/bin/python bench/segments_pages.py --deals N`
renders `/analytics/segments/?kind=abc|xyz|rfm`, a later page and the API with Django's test
client against the benchmark database: one warm-up request, then the median of `--runs` timed
ones, printed as a Markdown table per reader. It reads only.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any


def _readers() -> list[tuple[str, Any]]:
    from django.db.models import Count, Q

    from greenwave.accounts.models import Team, User
    from greenwave.sales.models import DealStatus

    director = User.objects.get(username="gen_director_01")
    team = (
        Team.objects.filter(head__isnull=False)
        .exclude(head=director)
        .annotate(won=Count("deals", filter=Q(deals__status=DealStatus.WON)))
        .order_by("-won", "pk")
        .first()
    )
    assert team is not None
    assert team.head is not None
    manager = (
        User.objects.filter(team=team, roles__code__in=["hunter", "farmer"])
        .annotate(won=Count("deals", filter=Q(deals__status=DealStatus.WON)))
        .order_by("-won", "pk")
        .first()
    )
    assert manager is not None
    return [
        ("director", director),
        (f"head of {team.name} ({team.won} won deals)", team.head),  # type: ignore[attr-defined]
        (f"manager {manager.username} ({manager.won} won deals)", manager),  # type: ignore[attr-defined]
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import benchdb

    benchdb.setup_django(args.deals)
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    url = reverse("analytics:segments")
    pages: list[tuple[str, str, dict[str, Any]]] = [
        ("segments ABC", url, {"kind": "abc"}),
        ("segments XYZ", url, {"kind": "xyz"}),
        ("segments RFM", url, {"kind": "rfm"}),
        ("segments RFM page 40", url, {"kind": "rfm", "page": 40}),
        ("segments ABC, 6 months", url, {"kind": "abc", "months": 6}),
        ("segments ABC, 18 months (no window rows)", url, {"kind": "abc", "months": 18}),
        ("API segments xyz", "/api/v1/analytics/segments", {"kind": "xyz"}),
    ]
    for title, user in _readers():
        client = Client()
        client.force_login(user)
        print(f"\n{title} ({user.username}), {args.runs} runs\n")
        print("| page | status | median ms | runs ms |")
        print("| --- | ---: | ---: | --- |")
        for name, path, params in pages:
            response = client.get(path, params)  # warm-up
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = client.get(path, params)
                times.append((time.perf_counter() - started) * 1000)
            runs = ", ".join(f"{t:.0f}" for t in times)
            median = statistics.median(times)
            print(f"| {name} | {response.status_code} | {median:.0f} | {runs} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
