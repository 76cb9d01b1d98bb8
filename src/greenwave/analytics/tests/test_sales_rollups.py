"""The sales figures from the rollups (`sales_rollups`, what a reader of every deal reads)
equal the figures from the raw deals, lines and leads: after a rebuild, after the worker's
refresh of wins, reassignments, changed lines and amounts and a changed cost price, and the
refreshed tables equal a rebuild's."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from unittest.mock import patch

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError
from greenwave.core.services import event_append
from greenwave.crm.models import Company, Product
from greenwave.datagen.generator import Config
from greenwave.datagen.loader import generate_into_database
from greenwave.sales import services as sales_services
from greenwave.sales.models import Deal, DealItem, DealStatus, Lead

from .. import rollups, sales_rollups, services
from ..figures import figure_deals, report_dict, rollup_scope, sales_report
from ..home import home_summary
from ..models import LeadDay, ProductDay, SaleDay, SaleFact


@pytest.fixture
def generated(db: None) -> None:
    generate_into_database(Config(deals=300, seed=11, chunk=250), rebuild_indexes=False)


def _admin() -> User:
    return User.objects.get(username="gen_admin_01")


def _report(actor: User, **kwargs: Any) -> dict[str, Any]:
    return report_dict(sales_report(actor=actor, **kwargs), compare=None)


def _equal(actor: User, date_from: date, date_to: date, **kwargs: Any) -> None:
    with CaptureQueriesContext(connection) as read:
        fast = _report(actor, date_from=date_from, date_to=date_to, **kwargs)
    assert any("analytics_salefact" in q["sql"] for q in read.captured_queries)
    assert not any('FROM "sales_deal"' in q["sql"] for q in read.captured_queries)
    with patch.object(sales_rollups, "built", return_value=False):
        raw = _report(actor, date_from=date_from, date_to=date_to, **kwargs)
    assert fast == raw, (date_from, date_to, kwargs)


def _actors() -> list[User]:
    """The admin (every deal), the director (heads every team: reads as the admin does), a
    head (their teams and own deals) and a manager (own deals and their team's)."""
    head = User.objects.filter(roles__code="head_of_sales", team__isnull=False).first()
    manager = User.objects.filter(deals__isnull=False, roles__code__in=["hunter", "farmer"]).first()
    director = User.objects.get(username="gen_director_01")
    assert head is not None
    assert manager is not None
    assert rollup_scope(director)["teams"] is None  # sees every sale fact and lead row
    assert rollup_scope(head)["teams"] is not None
    assert rollup_scope(manager)["teams"] is not None
    return [_admin(), director, head, manager]


def _all_equal() -> None:
    for actor in _actors():
        _all_equal_for(actor)


def _all_equal_for(admin: User) -> None:
    today = timezone.localdate()
    first = timezone.localtime(
        Deal.objects.order_by("created_at").values_list("created_at", flat=True)[0]
    ).date()
    _equal(admin, first, today, group_by="month")  # all time, as the page opens it
    _equal(admin, first, today, group_by="week", lost_after_days=30)
    _equal(admin, today - timedelta(days=89), today, group_by="day")
    _equal(admin, today - timedelta(days=364), today, group_by="month", lost_after_days=60)
    month = today.replace(day=1) - timedelta(days=1)
    _equal(admin, month.replace(day=1), month, group_by="day", lost_after_days=14)
    with CaptureQueriesContext(connection) as read:
        card = home_summary(admin)  # heads and the admin have the card, managers not
    assert (card is not None) == admin.has_role("head_of_sales", "admin")
    assert not any('FROM "sales_deal"' in q["sql"] for q in read.captured_queries)
    with patch.object(sales_rollups, "built", return_value=False):
        assert home_summary(admin) == card


def _some_figures_are_not_zero() -> None:
    admin, today = _admin(), timezone.localdate()
    first = Deal.objects.order_by("created_at").values_list("created_at", flat=True)[0]
    report = sales_report(actor=admin, date_from=timezone.localtime(first).date(), date_to=today)
    values = report.current.values
    for key in ("orders", "repeat_orders", "new_clients", "costed_orders"):
        assert values[key], key
    assert report.current.groups
    assert report.current.channels
    assert report.current.products
    assert report.current.utm
    late = sales_report(actor=admin, date_from=today - timedelta(days=89), date_to=today)
    assert late.current.values["regular_clients"]
    assert late.current.values["lost_clients"] or late.periods[1].values["lost_clients"]


def _tables() -> tuple[set[Any], set[Any], set[Any], set[Any]]:
    facts = set(
        SaleFact.objects.values_list(
            "deal_id",
            "day",
            "company_id",
            "team_id",
            "responsible_id",
            "currency",
            "cents",
            "first_day",
            "repeat",
            "prev_day",
            "next_day",
            "has_lines",
            "profit_cents",
        )
    )
    lines = {
        (d, c, p, Decimal(r).quantize(Decimal("0.00001")), Decimal(q).quantize(Decimal("0.001")), n)
        for d, c, p, r, q, n in ProductDay.objects.values_list(
            "day", "currency", "product_id", "revenue", "quantity", "lines"
        )
    }
    leads = set(LeadDay.objects.values_list("day", "source", "utm_source", "leads", "deals", "won"))
    days = set(SaleDay.objects.values_list("day", "currency", "orders", "cents"))
    assert len(days) == SaleDay.objects.count()
    return facts, lines, leads, days


def test_sales_figures_from_the_rollups_equal_the_raw_figures(generated: None) -> None:
    # Cost prices for every product but one (deals with its lines are not costed).
    products = list(Product.objects.order_by("pk"))
    assert len(products) > 2
    for n, product in enumerate(products[1:]):
        services.product_cost_set(actor=None, product=product, cost=Decimal(10 + n))
    # A won deal in another currency, and leads tagged with a utm_source.
    won = Deal.objects.filter(status=DealStatus.WON, company__isnull=False)
    Deal.objects.filter(pk=won.order_by("pk")[0].pk).update(currency="USD")
    lead_ids = list(Lead.objects.order_by("pk").values_list("pk", flat=True)[:40])
    Lead.objects.filter(pk__in=lead_ids[:25]).update(utm_source="yandex")
    Lead.objects.filter(pk__in=lead_ids[25:]).update(utm_source="vk")

    rollups.rebuild()
    assert (
        SaleFact.objects.count()
        == Deal.objects.filter(status=DealStatus.WON, closed_at__isnull=False).count()
    )
    _some_figures_are_not_zero()
    _all_equal()
    assert rollups.refresh() == 0

    # The worker's path: a win, a reassignment of a won deal, another line on a won deal, a
    # won deal moved to another client, a changed cost price, a lead converted.
    open_deal = Deal.objects.filter(status=DealStatus.OPEN).order_by("-stage__order").first()
    assert open_deal is not None
    with contextlib.suppress(DomainError):  # the gates may hold it: then no win
        sales_services.deal_win(actor=None, deal=open_deal)
    sold = list(won.order_by("-closed_at")[:3])
    other = User.objects.exclude(team=sold[0].team).filter(team__isnull=False).first()
    assert other is not None
    sales_services.deal_reassign(actor=None, deal=sold[0], responsible=other)
    DealItem.objects.create(deal=sold[1], product=products[0], quantity=2, price=Decimal("5.50"))
    event_append(case_type="deal", case_id=sold[1].pk, activity="deal_changed", actor=None)
    newcomer = Company.objects.exclude(deals__status=DealStatus.WON).first()
    assert newcomer is not None
    Deal.objects.filter(pk=sold[2].pk).update(company=newcomer, amount=Decimal("1234.56"))
    event_append(case_type="deal", case_id=sold[2].pk, activity="deal_changed", actor=None)
    services.product_cost_set(actor=None, product=products[1], cost=Decimal("1.25"))
    lead = Lead.objects.filter(deal__isnull=True).order_by("pk").first()
    assert lead is not None
    target = won.filter(origin_lead__isnull=True).order_by("-closed_at").first()
    assert target is not None
    Lead.objects.filter(pk=lead.pk).update(deal=target)
    event_append(case_type="lead", case_id=lead.pk, activity="lead_converted", actor=None)
    rollups.refresh()
    _all_equal()

    # A sale outside every team the director heads (no team, another owner): he reads the
    # rollups scoped again, with the same answers.
    director = User.objects.get(username="gen_director_01")
    stray = won.exclude(responsible=director).order_by("closed_at")[0]
    Deal.objects.filter(pk=stray.pk).update(team=None)
    event_append(case_type="deal", case_id=stray.pk, activity="deal_changed", actor=None)
    rollups.refresh()
    assert rollup_scope(director)["teams"] is not None
    _all_equal_for(director)

    refreshed = _tables()
    rollups.rebuild()
    assert _tables() == refreshed


def test_the_deals_behind_a_figure_from_the_facts_equal_the_raw_drill(generated: None) -> None:
    products = list(Product.objects.order_by("pk"))
    for n, product in enumerate(products[1:]):
        services.product_cost_set(actor=None, product=product, cost=Decimal(10 + n))
    rollups.rebuild()
    today = timezone.localdate()
    first = timezone.localtime(
        Deal.objects.order_by("created_at").values_list("created_at", flat=True)[0]
    ).date()
    periods = [
        (first, today),
        (today - timedelta(days=89), today),
        (today - timedelta(days=364), today - timedelta(days=30)),
    ]
    seen = 0
    for actor in _actors():
        for date_from, date_to in periods:
            for figure in ("repeat", "profit", "new_client_revenue", "old_client_revenue"):
                args = {
                    "actor": actor,
                    "figure": figure,
                    "date_from": date_from,
                    "date_to": date_to,
                }
                with CaptureQueriesContext(connection) as read:
                    fast = list(figure_deals(**args).values_list("pk", flat=True))
                assert any("analytics_salefact" in q["sql"] for q in read.captured_queries)
                with patch.object(sales_rollups, "built", return_value=False):
                    raw = list(figure_deals(**args).values_list("pk", flat=True))
                assert fast == raw, (actor.username, figure, date_from, date_to)
                seen += len(fast)
    assert seen
