"""The client × month rollup equals the raw won deals, and the segments and the portfolio
read from the rollups answer exactly what the raw path answers (both databases)."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records
from greenwave.core.errors import DomainError
from greenwave.core.listing import ListQuery
from greenwave.core.money import DEFAULT_CURRENCY
from greenwave.datagen.generator import Config
from greenwave.datagen.loader import generate_into_database
from greenwave.sales import services as sales_services
from greenwave.sales.models import Deal, DealStatus

from .. import rollups
from ..client_rollups import recompute_client_months, sees_every_client, segment_page
from ..figures import LOST_AFTER_DAYS, NEW_WITHIN_DAYS
from ..models import ClientMonth
from ..portfolio import portfolio_rows
from ..segments import KINDS, SegmentParams, segment_clients, summary


@pytest.fixture
def generated(db: None) -> None:
    generate_into_database(Config(deals=300, seed=11, chunk=250), rebuild_indexes=False)


def _raw_months() -> set[tuple[Any, ...]]:
    tz = timezone.get_current_timezone()
    rows = (
        Deal.objects.filter(status=DealStatus.WON, company__isnull=False, closed_at__isnull=False)
        .annotate(month=TruncMonth("closed_at", tzinfo=tz))
        .order_by()
        .values("company_id", "month", "currency")
        .annotate(n=Count("pk"), s=Sum("amount"), last=Max("closed_at"))
    )
    return {
        (
            r["company_id"],
            r["month"].date() if hasattr(r["month"], "date") else r["month"],
            r["currency"],
            r["n"],
            int(Decimal(r["s"] or 0).quantize(Decimal("0.01")) * 100),
            r["last"],
        )
        for r in rows
    }


def _months() -> set[tuple[Any, ...]]:
    return set(
        ClientMonth.objects.values_list(
            "company_id", "month", "currency", "orders", "cents", "last_won"
        )
    )


def _segments_equal(actor: User, params: SegmentParams) -> None:
    raw = segment_clients(actor=actor, params=params)
    for kind in KINDS:
        page = segment_page(actor=actor, params=params, kind=kind)
        assert page is not None
        assert page.summary == summary(raw, kind), (kind, params)
        assert page.count() == len(raw)
    page = segment_page(actor=actor, params=params, kind="abc")
    assert page is not None
    ours = [c.as_dict() for n in range(0, len(raw), 7) for c in page[n : n + 7]]
    assert ours == [c.as_dict() for c in raw], params


def test_client_months_equal_the_raw_deals(generated: None) -> None:
    rollups.rebuild()
    assert _months() == _raw_months()
    assert ClientMonth.objects.exists()

    # A win and a reassignment through the worker's refresh: only the touched clients move.
    won = Deal.objects.filter(status=DealStatus.WON, company__isnull=False).first()
    assert won is not None
    other = User.objects.exclude(pk=won.responsible_id).filter(is_active=True).first()
    assert other is not None
    sales_services.deal_reassign(actor=None, deal=won, responsible=other)
    last_stage = Deal.objects.filter(status=DealStatus.OPEN).order_by("-stage__order").first()
    assert last_stage is not None
    with contextlib.suppress(DomainError):  # the gates may refuse: then only a reassignment
        sales_services.deal_win(actor=None, deal=last_stage)
    Deal.objects.filter(pk=won.pk).update(amount=won.amount + Decimal("10.05"))
    rollups.recompute_deals([won.pk, last_stage.pk])
    assert _months() == _raw_months()

    incremental = _months()
    recompute_client_months(None)
    assert _months() == incremental


def test_segments_from_the_rollup_equal_the_raw_path(generated: None) -> None:
    rollups.rebuild()
    admin = User.objects.get(username="gen_admin_01")
    assert sees_every_client(admin)
    today = timezone.localdate()
    month_end = today.replace(day=1) - timedelta(days=1)
    for params in (
        SegmentParams(),
        SegmentParams(months=3),
        SegmentParams(months=1, as_of=today - timedelta(days=40)),
        SegmentParams(months=24, as_of=month_end),
        SegmentParams(
            months=6,
            as_of=today - timedelta(days=75),
            a_share=Decimal("0.5"),
            b_share=Decimal("0.9"),
            x_max=Decimal("1.2"),
            y_max=Decimal("2.5"),
        ),
    ):
        _segments_equal(admin, params)

    # Every client counted once, the rows of the page come in the raw order.
    page = segment_page(actor=admin, params=SegmentParams(), kind="rfm")
    assert page is not None
    assert page.count() > 20
    assert sum(row["clients"] for row in page.summary) == page.count()


def test_a_reader_of_some_clients_keeps_the_raw_path(generated: None) -> None:
    rollups.rebuild()
    manager = User.objects.filter(
        deals__status=DealStatus.WON, roles__code__in=["hunter", "farmer"]
    ).first()
    assert manager is not None
    assert not sees_every_client(manager)
    assert segment_page(actor=manager, params=SegmentParams(), kind="abc") is None
    # Whoever sees every won deal (whatever their role) reads the rollup, with equal answers.
    for user in User.objects.filter(roles__code__in=["director", "head_of_sales"]):
        visible = scope_records(
            Deal.objects.filter(status=DealStatus.WON, company__isnull=False), actor=user
        ).count()
        everything = Deal.objects.filter(status=DealStatus.WON, company__isnull=False).count()
        assert sees_every_client(user) == (visible == everything), user.username
        if sees_every_client(user):
            _segments_equal(user, SegmentParams())


def test_portfolio_of_a_reader_of_every_client_equals_the_raw_deals(generated: None) -> None:
    rollups.rebuild()
    admin = User.objects.get(username="gen_admin_01")
    raw = {
        r["company_id"]: (r["n"], Decimal(r["s"]).quantize(Decimal("0.01")), r["f"], r["l"])
        for r in Deal.objects.filter(
            status=DealStatus.WON, currency=DEFAULT_CURRENCY, company__isnull=False
        )
        .order_by()
        .values("company_id")
        .annotate(n=Count("pk"), s=Sum("amount"), f=Min("closed_at"), l=Max("closed_at"))
    }
    rows = list(portfolio_rows(actor=admin, query=ListQuery(sort="-revenue")))
    assert {
        r["company_id"]: (
            r["orders"],
            Decimal(r["revenue"]).quantize(Decimal("0.01")),
            r["first_purchase"],
            r["last_purchase"],
        )
        for r in rows
    } == raw
    revenues = [Decimal(r["revenue"]) for r in rows]
    assert revenues == sorted(revenues, reverse=True)
    now = timezone.now()
    for r in rows:
        _n, _s, first, last = raw[r["company_id"]]
        expected = (
            "lost"
            if last < now - timedelta(days=LOST_AFTER_DAYS)
            else "new"
            if first >= now - timedelta(days=NEW_WITHIN_DAYS)
            else "regular"
        )
        assert r["status"] == expected
