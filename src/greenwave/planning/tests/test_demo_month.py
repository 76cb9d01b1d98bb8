"""The demo company's month: its won deals are invoiced and paid, so the plan counts revenue
as payments (the default), the plans are set on last month's paid revenue and this month's
payments show as actuals."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from greenwave.accounts.models import User
from greenwave.orders.models import Payment
from greenwave.planning import kpis, selectors, services
from greenwave.planning.models import PlanTarget, RevenueBasis

pytestmark = pytest.mark.django_db


def test_demo_revenue_is_paid_and_plans_stand_on_payments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-test-pass")
    call_command("seed_demo", "--deals", "150", stdout=StringIO())
    assert services.planning_settings().revenue_basis == RevenueBasis.PAID
    month = kpis.Month.of(kpis.today())
    director = User.objects.get(username="director")
    assert director.team is not None
    for period in (month.previous, month):
        paid = sum(
            (
                p.amount
                for p in Payment.objects.filter(
                    payment_date__gte=period.first, payment_date__lte=period.last
                )
            ),
            Decimal(0),
        )
        grid = selectors.department_grid(actor=director, month=period, team=director.team)
        revenue = next(f for f in grid.total.figures if f.kpi.key == "revenue")
        # Every payment of the demo is credited to someone of the department.
        assert revenue.actual == paid, period.key
    last = selectors.department_grid(actor=director, month=month.previous, team=director.team)
    assert next(f for f in last.total.figures if f.kpi.key == "revenue").actual > 0
    # The plans of this month are last month's paid revenue raised by a tenth.
    revenue_targets = PlanTarget.objects.filter(plan__period=month.first, kpi__key="revenue")
    assert revenue_targets.exists()
    # Running the demo again changes nothing.
    payments = Payment.objects.count()
    call_command("seed_demo", "--deals", "150", stdout=StringIO())
    assert Payment.objects.count() == payments
