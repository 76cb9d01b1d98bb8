"""Time the segments pages (issue 19) as the director, the head of the biggest team and a
manager of that team.

`BENCH_DB=<database> PYTHONPATH=src:bench .venv/bin/python bench/segments_pages.py --deals N`
renders `/analytics/segments/?kind=abc|xyz|rfm`, a later page and the API with Django's test
client against the benchmark database: one warm-up request, then the median of `--runs` timed
ones, printed as a Markdown table per reader. It reads only.
"""

from __future__ import annotations

from typing import Any

from page_timing import Page, setup, time_pages


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
    args = setup(__doc__.splitlines()[0], runs=3)
    from django.urls import reverse

    url = reverse("analytics:segments")
    pages: list[Page] = [
        ("segments ABC", url, {"kind": "abc"}),
        ("segments XYZ", url, {"kind": "xyz"}),
        ("segments RFM", url, {"kind": "rfm"}),
        ("segments RFM page 40", url, {"kind": "rfm", "page": 40}),
        ("segments ABC, 6 months", url, {"kind": "abc", "months": 6}),
        ("segments ABC, 18 months (no window rows)", url, {"kind": "abc", "months": 18}),
        ("API segments xyz", "/api/v1/analytics/segments", {"kind": "xyz"}),
    ]
    for title, user in _readers():
        print(f"\n{title} ({user.username}), {args.runs} runs\n")
        time_pages(user, pages, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
