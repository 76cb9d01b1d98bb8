"""Time the client portfolio (each offered sort, a status filter, a later page) and the
segments pages and their API endpoints as the generated director (issue 19: under 1 s).

`BENCH_DB=<database> .venv/bin/python bench/portfolio_pages.py --deals N`: Django's test
client against the benchmark database (generated, rollups built), one warm-up request, then
the median of `--runs` timed ones, printed as a Markdown table. It reads only.
"""

from __future__ import annotations

from page_timing import Page, setup, time_pages


def main() -> int:
    args = setup(__doc__.splitlines()[0], runs=2)
    from django.urls import reverse

    from greenwave.accounts.models import User

    director = User.objects.get(username="gen_director_01")
    portfolio, segments = reverse("analytics:portfolio"), reverse("analytics:segments")
    pages: list[Page] = [
        ("portfolio (by revenue)", portfolio, {}),
        ("portfolio page 100", portfolio, {"page": "100"}),
        ("portfolio by name", portfolio, {"sort": "name"}),
        ("portfolio by purchases", portfolio, {"sort": "-orders"}),
        ("portfolio by average check", portfolio, {"sort": "-average_check"}),
        ("portfolio by first purchase", portfolio, {"sort": "first_purchase"}),
        ("portfolio by last purchase", portfolio, {"sort": "-last_purchase"}),
        ("portfolio status lost", portfolio, {"status": "lost"}),
        ("segments ABC", segments, {"kind": "abc"}),
        ("segments XYZ", segments, {"kind": "xyz"}),
        ("segments RFM", segments, {"kind": "rfm"}),
        ("segments RFM page 40", segments, {"kind": "rfm", "page": "40"}),
        ("API portfolio", "/api/v1/analytics/portfolio", {}),
        ("API segments xyz", "/api/v1/analytics/segments", {"kind": "xyz"}),
        ("competitors", reverse("analytics:competitors"), {}),
        ("NPS", reverse("analytics:nps"), {}),
    ]
    time_pages(director, pages, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
