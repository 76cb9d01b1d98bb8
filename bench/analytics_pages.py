"""Time every analytics page as the director over all time (issue 19: «under 1 s» each).

`BENCH_DB=<database> .venv/bin/python bench/analytics_pages.py --deals N` renders each page
with Django's test client against the benchmark database (already generated, rollups built by
`bench/run.py`): one warm-up request, then the median of `--runs` timed ones (a page slower than
5 s: its one request), printed as a Markdown table. It reads only; it does not generate,
migrate or rebuild anything.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import benchdb

    benchdb.setup_django(args.deals)
    from django.conf import settings
    from django.db.models import Min
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from greenwave.accounts.models import User
    from greenwave.sales.models import Deal, Pipeline

    settings.ALLOWED_HOSTS = ["*"]
    director = User.objects.get(username="gen_director_01")
    pipeline = Pipeline.objects.get(code="b2b")
    first = Deal.objects.aggregate(m=Min("created_at"))["m"]
    start, today = timezone.localtime(first).date().isoformat(), timezone.localdate().isoformat()
    period = {"date_from": start, "date_to": today}
    pages: list[tuple[str, str, dict[str, Any]]] = [
        ("home (director)", "/", {}),
        ("analytics: sales figures", reverse("analytics:sales"), {**period, "group_by": "month"}),
        ("analytics: client portfolio", reverse("analytics:portfolio"), {}),
        ("analytics: segments ABC", reverse("analytics:segments"), {"kind": "abc"}),
        ("analytics: segments XYZ", reverse("analytics:segments"), {"kind": "xyz"}),
        ("analytics: segments RFM", reverse("analytics:segments"), {"kind": "rfm"}),
        ("analytics: competitors", reverse("analytics:competitors"), {}),
        ("analytics: cost prices", reverse("analytics:costs"), {}),
        ("analytics: NPS", reverse("analytics:nps"), period),
        ("analytics: funnel overview", reverse("analytics:funnel"), {"pipeline": pipeline.pk}),
        (
            "sales: funnel, all time",
            reverse("sales:funnel"),
            {"pipeline": pipeline.pk, "date_from": "", "date_to": ""},
        ),
    ]
    client = Client()
    client.force_login(director)
    print(f"director {director.username}, all time {start} – {today}, {args.runs} runs\n")
    print("| page | status | median ms | runs ms |")
    print("| --- | ---: | ---: | --- |")
    for name, url, params in pages:
        started = time.perf_counter()
        response = client.get(url, params)  # warm-up
        warm = (time.perf_counter() - started) * 1000
        times = [warm] if warm > 5000 else []  # a slow page: its first request is the figure
        for _ in range(args.runs if not times else 0):
            started = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - started) * 1000)
        runs = ", ".join(f"{t:.0f}" for t in times)
        median = statistics.median(times)
        print(f"| {name} | {response.status_code} | {median:.0f} | {runs} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
