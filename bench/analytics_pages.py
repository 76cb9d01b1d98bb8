"""Time every analytics page as the director over all time (issue 19: «under 1 s» each).

Besides the director's pages: the home page of the head of the largest team (by deals) and
of the manager with the most deals, and the deals behind the sales page's figures (the
drill-down a click on a number opens), all time.

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

Page = tuple[str, str, dict[str, Any]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=[], help="pages whose name contains one")
    args = parser.parse_args()

    import benchdb

    benchdb.setup_django(args.deals)
    from django.conf import settings
    from django.test import Client

    from greenwave.accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    director = User.objects.get(username="gen_director_01")
    head, manager = _head_and_manager()
    start, today, pages = _pages(director, head, manager)
    clients = {}
    for user in (director, head, manager):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    print(f"director {director.username}, all time {start} – {today}, {args.runs} runs\n")
    print("| page | status | median ms | runs ms |")
    print("| --- | ---: | ---: | --- |")
    for name, url, params in pages:
        if args.only and not any(word in name for word in args.only):
            continue
        client = clients[params.pop("as", director).pk]
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


def _head_and_manager() -> tuple[Any, Any]:
    """The head of the team with the most deals, and the person with the most deals."""
    from django.db.models import Count

    from greenwave.accounts.models import Team, User
    from greenwave.sales.models import Deal

    largest = Team.objects.filter(head__isnull=False).annotate(n=Count("deals"))
    head = largest.order_by("-n", "pk").first().head  # type: ignore[union-attr]
    busiest = (
        Deal.objects.order_by()
        .values("responsible_id")
        .annotate(n=Count("pk"))
        .exclude(responsible_id=None)
        .order_by("-n", "responsible_id")
        .first()
    )
    return head, User.objects.get(pk=busiest["responsible_id"])  # type: ignore[index]


def _pages(director: Any, head: Any, manager: Any) -> tuple[str, str, list[Page]]:
    from django.db.models import Min
    from django.urls import reverse
    from django.utils import timezone

    from greenwave.sales.models import Deal, Pipeline

    pipeline = Pipeline.objects.get(code="b2b")
    first = Deal.objects.aggregate(m=Min("created_at"))["m"]
    start, today = timezone.localtime(first).date().isoformat(), timezone.localdate().isoformat()
    period = {"date_from": start, "date_to": today}
    pages: list[Page] = [
        ("home (director)", "/", {}),
        (f"home (head {head.username})", "/", {"as": head}),
        (f"home (manager {manager.username})", "/", {"as": manager}),
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
    return start, today, pages + _drills(start, today)


def _drills(start: str, today: str) -> list[Page]:
    """The deal lists a click on a figure of the sales page opens (all time)."""
    from django.urls import reverse

    from greenwave.crm.models import Product, ProductGroup
    from greenwave.sales.models import LeadSource

    drill = reverse("analytics:figure_deals")
    whole = {"from": start, "to": today}
    figures = ("sales_volume", "repeat", "profit", "new_client_revenue", "old_client_revenue")
    pages: list[Page] = [(f"drill: {f}", drill, {**whole, "figure": f}) for f in figures]
    group = ProductGroup.objects.order_by("pk").values_list("pk", flat=True).first()
    product = Product.objects.order_by("pk").values_list("pk", flat=True).first()
    return [
        *pages,
        (f"drill: group {group}", drill, {**whole, "figure": "group", "key": group}),
        (f"drill: product {product}", drill, {**whole, "figure": "product", "key": product}),
        ("drill: channel", drill, {**whole, "figure": "channel", "key": LeadSource.values[0]}),
        ("drill: sales_volume page 100", drill, {**whole, "figure": "sales_volume", "page": 100}),
    ]


if __name__ == "__main__":
    raise SystemExit(main())
