"""«Done when» of issue 18, through the services a person's clicks call: the head sets the
month's plan, the hunter logs a call and a meeting, a deal of the hunter is won, finance
records the payment of its invoice — the hunter's plan and the head's grid show the new
actuals at once, the forecast moves and the commission statement has the payment's line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from greenwave.activities import services as activity_services
from greenwave.crm import services as crm_services
from greenwave.orders import services as money
from greenwave.planning import kpis, selectors, services

pytestmark = pytest.mark.django_db


def _figures(actor: Any, subject: selectors.Subject, month: kpis.Month) -> dict[str, Any]:
    report = selectors.plan_report(actor=actor, month=month, subject=subject)
    return {f.kpi.key: f for f in report.figures}


def test_plan_calls_meeting_win_payment_show_at_once(
    two_teams: dict[str, Any], make_user: Any, won_and_invoiced: Any
) -> None:
    head, hunter = two_teams["head_a"], two_teams["hunter_a"]
    finance = make_user("finance_j", roles=["finance"])
    month = kpis.Month.of(kpis.today())
    services.plan_targets_set(
        actor=head,
        month=month,
        user=hunter,
        targets={"calls": 40, "meetings": 8, "projects": 2, "revenue": "200000"},
    )
    services.commission_scheme_save(actor=head, name="Базовая", default_percent="5")
    me = selectors.Subject(user=hunter)
    before = _figures(hunter, me, month)
    assert before["calls"].target == 40
    assert (before["calls"].actual, before["revenue"].actual) == (0, 0)

    company = crm_services.company_create(actor=hunter, name="ООО «Путь»", inn="7707083893")
    for kind, subject in (("call", "Первый звонок"), ("meeting", "Встреча у клиента")):
        activity = activity_services.activity_create(
            actor=hunter, kind=kind, subject=subject, company=company, due_at=timezone.now()
        )
        activity_services.activity_complete(
            actor=hunter, activity=activity, call_result="meeting_booked" if kind == "call" else ""
        )
    # The win itself (its stage outputs and approvals) is sales' journey; here it is the fact.
    invoice = won_and_invoiced(hunter, company)
    money.payment_record(
        actor=finance, invoice=invoice, amount=invoice.total, payment_date=timezone.localdate()
    )

    after = _figures(hunter, me, month)
    assert after["calls"].actual == 1
    assert after["meetings"].actual == 1
    assert after["projects"].actual == 1
    assert after["revenue"].actual == invoice.total
    assert after["revenue"].forecast is not None
    assert after["revenue"].forecast >= invoice.total
    assert after["revenue"].forecast != before["revenue"].forecast
    grid = selectors.team_grid(actor=head, month=month, team=two_teams["team_a"])
    row = next(r for r in grid.rows if r.user is not None and r.user.pk == hunter.pk)
    assert {f.kpi.key: f.actual for f in row.figures}["revenue"] == invoice.total
    _user, statement = selectors.commission_statement(actor=head, month=month, user_id=hunter.pk)
    assert [(line.invoice_id, line.commission) for line in statement.lines] == [
        (str(invoice.pk), (invoice.total * Decimal("0.05")).quantize(Decimal("0.01")))
    ]
