"""The segments from the per-client window rows (`client_windows`) answer exactly what the raw
path answers: the rows equal the raw won deals of every standard window, and the segments page
and API give the same answers as the raw path (all three kinds) to the director, a head and a
manager, after a rebuild and after the worker's refresh of new wins (both databases)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from unittest.mock import patch

import pytest
from django.db.models import Count, Q
from django.test import Client
from django.utils import timezone

from greenwave.accounts.models import Team, User
from greenwave.core.services import event_append
from greenwave.crm.models import Company
from greenwave.datagen.generator import Config
from greenwave.datagen.loader import generate_into_database
from greenwave.sales.models import Deal, DealStatus

from .. import rollups
from ..client_rollups import sees_every_client, segment_page
from ..client_windows import (
    WINDOW_MONTHS,
    recompute_client_windows,
    roll_windows,
    window_stats,
)
from ..models import ClientWindow
from ..segments import KINDS, SegmentParams, segment_clients, summary


@pytest.fixture
def generated(db: None) -> None:
    generate_into_database(Config(deals=300, seed=11, chunk=250), rebuild_indexes=False)


def _roles() -> dict[str, User]:
    """The director (a reader of every client), the head of the team with the most won deals
    (who does not see every client) and a manager with won deals."""
    director = User.objects.get(username="gen_director_01")
    teams = (
        Team.objects.filter(head__isnull=False)
        .exclude(head=director)
        .annotate(won=Count("deals", filter=Q(deals__status=DealStatus.WON)))
        .order_by("-won", "pk")
    )
    head = next(t.head for t in teams if t.head is not None and not sees_every_client(t.head))
    manager = (
        User.objects.filter(deals__status=DealStatus.WON, roles__code__in=["hunter", "farmer"])
        .exclude(pk=head.pk)
        .first()
    )
    assert manager is not None
    assert sees_every_client(director)
    assert not sees_every_client(manager)
    return {"director": director, "head": head, "manager": manager}


def _answers(user: User, bearer: Any) -> list[Any]:
    """The API's pages (7 rows) and the page's summary and rows, for every kind."""
    api = bearer(user)
    web = Client()
    web.force_login(user)
    out: list[Any] = []
    for kind in KINDS:
        for page in (1, 2, 3):
            answer = api.get(
                "/api/v1/analytics/segments", {"kind": kind, "page": page, "page_size": 7}
            )
            assert answer.status_code == 200, answer.content
            out.append(answer.json())
        for page in ("1", "2"):
            shown = web.get("/analytics/segments/", {"kind": kind, "page": page})
            assert shown.status_code == 200
            rows = [c.as_dict() for c in shown.context["page"].object_list]
            out.append((shown.context["classes"], rows, shown.context["page"].paginator.count))
    return out


def _raw_answers(user: User, bearer: Any) -> list[Any]:
    """The same answers from the raw won deals (the rollup path switched off)."""
    with (
        patch("greenwave.analytics.views.segment_page", return_value=None),
        patch("greenwave.analytics.api.segment_page", return_value=None),
    ):
        return _answers(user, bearer)


def _raw_windows() -> set[tuple[Any, ...]]:
    admin = User.objects.get(username="gen_admin_01")
    rows = set()
    for months in WINDOW_MONTHS:
        for c in segment_clients(actor=admin, params=SegmentParams(months=months)):
            variation = None if c.variation is None else int(c.variation * 10000)
            cents = int(c.revenue * 100)
            local_day = timezone.localtime(c.last_purchase).date()
            rows.add((c.company_id, months, c.orders, cents, c.last_purchase, local_day, variation))
    return rows


def _windows() -> set[tuple[Any, ...]]:
    end_month = timezone.localdate().replace(day=1)
    assert not ClientWindow.objects.exclude(end_month=end_month).exists()
    return set(
        ClientWindow.objects.values_list(
            "company_id", "months", "orders", "cents", "last_won", "last_day", "variation"
        )
    )


def _all_equal(bearer: Any) -> None:
    assert _windows() == _raw_windows()
    for role, user in _roles().items():
        assert _answers(user, bearer) == _raw_answers(user, bearer), role
    # The thresholds of the page apply to the stored rows as the raw path applies them.
    director = _roles()["director"]
    for params in (
        SegmentParams(),
        SegmentParams(months=3, a_share=Decimal("0.5"), b_share=Decimal("0.9")),
        SegmentParams(months=24, x_max=Decimal("1.2"), y_max=Decimal("2.5")),
    ):
        assert window_stats(params) is not None
        raw = segment_clients(actor=director, params=params)
        for kind in KINDS:
            page = segment_page(actor=director, params=params, kind=kind, limit=7)
            assert page is not None
            assert page.summary == summary(raw, kind), (kind, params)
            assert page.count() == len(raw)
            ours = [c.as_dict() for n in range(0, len(raw), 7) for c in page[n : n + 7]]
            assert ours == [c.as_dict() for c in raw], (kind, params)


def _win(deal: Deal, company: Company | None, amount: str, hours: int) -> None:
    Deal.objects.filter(pk=deal.pk).update(
        status=DealStatus.WON,
        company=company or deal.company,
        amount=Decimal(amount),
        closed_at=timezone.now() - timedelta(hours=hours),
    )
    event_append(case_type="deal", case_id=deal.pk, activity="deal_won", actor=None)


def test_segments_from_the_windows_equal_the_raw_path(generated: None, bearer: Any) -> None:
    rollups.rebuild()
    assert ClientWindow.objects.filter(months=12).count() > 20
    assert window_stats(SegmentParams()) is not None  # the director's default view
    _all_equal(bearer)

    # New wins through the worker's refresh: the manager's, a newcomer's, a tie in revenue.
    manager = _roles()["manager"]
    opened = Deal.objects.filter(status=DealStatus.OPEN, company__isnull=False).order_by("pk")
    mine = opened.filter(responsible=manager)
    others = opened.exclude(responsible=manager)
    newcomer = Company.objects.exclude(deals__status=DealStatus.WON).order_by("pk").first()
    assert newcomer is not None
    for n, deal in enumerate([*mine[:2], *others[:3]]):
        _win(deal, newcomer if n == 2 else None, ("777.77", "1500.00", "1500.00")[n % 3], n)
    rollups.refresh()
    _all_equal(bearer)
    refreshed = _windows()
    recompute_client_windows(None)
    assert _windows() == refreshed


def test_a_new_month_rolls_the_windows(generated: None) -> None:
    rollups.rebuild()
    before = _windows()
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    ClientWindow.objects.update(end_month=last_month)
    assert window_stats(SegmentParams()) is None  # stale rows: the slower path answers
    recompute_client_windows([ClientWindow.objects.values_list("company_id", flat=True)[0]])
    assert _windows() == before  # a touched client in a new month moves every window
    ClientWindow.objects.update(end_month=last_month)
    assert rollups.refresh() == 0
    assert _windows() == before
    assert not roll_windows()
