from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from greenwave.activities.models import Activity
from greenwave.core.models import Event
from greenwave.orders import selectors, services
from greenwave.orders.models import OverdueReminder

TODAY = date(2026, 12, 4)


def _due(days_overdue: int) -> date:
    return TODAY - timedelta(days=days_overdue)


def test_ageing_buckets_known_answer(make_invoice, finance, two_teams) -> None:
    # Days overdue → bucket: −3 and 0 not due; 1 and 5 → 1–5; 6 and 30 → 6–30; 31, 90 →
    # 31–90; 91 and 400 → over 90.
    totals = {-3: "100", 0: "200", 1: "300", 5: "400", 6: "500", 30: "600", 31: "700"}
    totals |= {90: "800", 91: "900", 400: "1000"}
    for days, total in totals.items():
        issued = min(_due(days), TODAY) - timedelta(days=1)
        make_invoice(total, issue_date=issued, due_date=_due(days))
    partly = make_invoice("1000", issue_date=_due(40), due_date=_due(10))
    services.payment_record(actor=finance, invoice=partly, amount="250", payment_date=_due(12))
    rows, total = selectors.receivables(actor=finance, group_by="client", today=TODAY)
    assert len(rows) == 1
    assert rows[0].name == "ООО «Ромашка»"
    assert rows[0].buckets == {
        "not_due": Decimal("300.00"),
        "d1_5": Decimal("700.00"),
        "d6_30": Decimal("1850.00"),
        "d31_90": Decimal("1500.00"),
        "d90_plus": Decimal("1900.00"),
    }
    assert rows[0].total == Decimal("6250.00")
    assert rows[0].invoices == 11
    assert total.total == rows[0].total


def test_receivables_are_scoped_and_grouped(make_invoice, two_teams, finance) -> None:
    make_invoice("100", issue_date=_due(20), due_date=_due(10))
    rows, _total = selectors.receivables(actor=two_teams["hunter_b"], group_by="team")
    assert rows == []
    rows, _total = selectors.receivables(actor=two_teams["head_a"], group_by="team")
    assert [(r.name, r.total) for r in rows] == [("Team A", Decimal("100.00"))]
    rows, _total = selectors.receivables(actor=finance, group_by="manager")
    assert rows[0].key == two_teams["hunter_a"].pk


def test_reminder_once_after_due_plus_five_days(make_invoice, two_teams) -> None:
    today = timezone.localdate()
    five = make_invoice("100", issue_date=today - timedelta(days=9), due_date=today - timedelta(5))
    six = make_invoice("200", issue_date=today - timedelta(days=9), due_date=today - timedelta(6))
    assert services.overdue_reminders_send(today=today) == 1
    assert services.overdue_reminders_send(today=today) == 0
    assert services.overdue_reminders_send(today=today + timedelta(days=1)) == 1
    assert services.overdue_reminders_send(today=today + timedelta(days=30)) == 0
    reminders = OverdueReminder.objects.order_by("invoice_id")
    assert [r.invoice_id for r in reminders] == [five.pk, six.pk]
    activity = Activity.objects.get(pk=reminders[1].activity_id)
    assert activity.responsible == two_teams["hunter_a"]
    assert activity.kind == "task"
    assert six.number in activity.subject
    assert Event.objects.filter(activity="invoice_overdue_reminded").count() == 2


def test_paid_invoice_is_never_reminded(make_invoice, finance) -> None:
    today = timezone.localdate()
    invoice = make_invoice("100", issue_date=today - timedelta(20), due_date=today - timedelta(10))
    services.payment_record(actor=finance, invoice=invoice, amount="100")
    assert services.overdue_reminders_send(today=today) == 0
