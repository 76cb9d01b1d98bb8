"""Known answers of the eleven KPIs of seed 003 on a small built history of March 2026,
including the edges of the month (a deal won at 23:30 on the 31st, one at 00:10 on the 1st)
and a payment dated in March that arrives in the log in April."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from greenwave.activities.models import Activity
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.core.services import event_append
from greenwave.crm.models import Company, Product, ProductGroup
from greenwave.orders.models import Order
from greenwave.planning import kpis, selectors, services
from greenwave.planning.models import Kpi, MonthPlan, PlanTarget, RevenueBasis
from greenwave.sales.models import ClientHandoff, Deal, DealItem, Lead, Pipeline

pytestmark = pytest.mark.django_db

MARCH = kpis.Month(date(2026, 3, 1))
# A KPI from building blocks: the average amount of the deals won in the month.
AVERAGE_DEAL = services.KpiSpec(
    name="Средний чек",
    unit="money",
    source="record",
    aggregate="avg",
    record="deal",
    field_name="amount",
    date_field="closed_at",
    filters={"status": "won"},
)
# A KPI counted from the event log: the calls completed in the month.
CALLS_LOGGED = services.KpiSpec(
    name="Звонки по журналу", source="event", aggregate="count", event_activity="call_completed"
)


def at(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=timezone.get_default_timezone())


# The fields of a deal row of the history below, in order (`_deal` takes them).
DEAL_COLUMNS = (
    "title",
    "status",
    "company",
    "amount",
    "created",
    "closed_at",
    "expected_close_date",
    "items",
    "user",
)


# The fields of a lead row of the history below, in order.
LEAD_COLUMNS = ("title", "status", "disqualification_reason", "closed_at")


def _deal(people: dict[str, Any], **fields: Any) -> Deal:
    pipeline = Pipeline.objects.get(code="b2b")
    stage = pipeline.stages.order_by("order").first()
    user = fields.pop("user", people["hunter_a"])
    items = fields.pop("items", [])
    created = fields.pop("created", at(2026, 3, 1))
    deal = Deal.objects.create(
        title=fields.pop("title"),
        pipeline=pipeline,
        stage=stage,
        responsible=user,
        team=user.team,
        stage_entered_at=created,
        **fields,
    )
    Deal.objects.filter(pk=deal.pk).update(created_at=created)
    for product in items:
        DealItem.objects.create(deal=deal, product=product, quantity=1, price=deal.amount)
    deal.refresh_from_db()
    return deal


def _invoice(case: int, activity: str, when: datetime, **payload: Any) -> None:
    event_append(
        case_type="invoice",
        case_id=case,
        activity=activity,
        actor=None,
        payload=payload,
        timestamp=when,
    )


def _paid(case: int, when: datetime, amount: str, paid_on: str, payment_id: int) -> None:
    """A payment of `amount` dated `paid_on` for the invoice С-`case`, logged at `when`."""
    _invoice(
        case,
        "payment_received",
        when,
        amount=amount,
        payment_date=paid_on,
        payment_id=payment_id,
        invoice_number=f"С-{case}",
    )


def _settled(case: int, when: datetime, total: str, paid_on: str) -> None:
    """The invoice С-`case` of `total`, paid in full on `paid_on`, logged at `when`."""
    _invoice(case, "invoice_paid", when, number=f"С-{case}", total=total, paid_date=paid_on)


def _issue(case: int, user: Any, issued: datetime, due: str, total: str) -> None:
    _invoice(
        case,
        "invoice_issued",
        issued,
        number=f"С-{case}",
        total=total,
        vat="0.00",
        currency="RUB",
        issue_date=issued.date().isoformat(),
        due_date=due,
        deal_id=None,
        company_id=None,
        responsible_id=user.pk,
        team_id=user.team_id,
    )


@pytest.fixture
def history(two_teams: dict[str, Any], default_pipelines: None) -> dict[str, Any]:
    a, b = two_teams["hunter_a"], two_teams["hunter_b"]
    first = Company.objects.create(name="ООО «Первый»", responsible=a, team=a.team)
    second = Company.objects.create(name="ООО «Второй»", responsible=a, team=a.team)
    tools = ProductGroup.objects.create(name="Инструмент")
    service = ProductGroup.objects.create(name="Сервис")
    drill = Product.objects.create(name="Дрель", sku="D-1", group=tools)
    repair = Product.objects.create(name="Ремонт", sku="S-1", group=service)
    deals = (
        # February: the client's first purchase (tools).
        ("D0", "won", first, 1000, at(2026, 2, 1), at(2026, 2, 10), None, [drill], a),
        # March: a cross-sale (a new group, service), 10 days, late (expected the 10th).
        (
            "D1",
            "won",
            first,
            100000,
            at(2026, 3, 1, 10),
            at(2026, 3, 11, 10),
            date(2026, 3, 10),
            [repair, drill],
            a,
        ),
        # March 31, 23:30 Moscow: still March; 5 days.
        ("D2", "won", second, 50000, at(2026, 3, 26, 23, 30), at(2026, 3, 31, 23, 30), None, [], a),
        # A repeat sale of the same group (tools): a project, not a cross-sale; 15 days.
        ("D7", "won", first, 7000, at(2026, 3, 5), at(2026, 3, 20), None, [drill], a),
        # April 1, 00:10 Moscow: April.
        ("D3", "won", second, 9000, at(2026, 3, 20), at(2026, 4, 1, 0, 10), None, [], a),
        # Another team's win.
        ("D4", "won", None, 30000, at(2026, 3, 1), at(2026, 3, 15), None, [], b),
        # Open: expected March 20 (late), expected April 5 (not late in March).
        ("D5", "open", None, 40000, at(2026, 3, 1), None, date(2026, 3, 20), [], a),
        ("D6", "open", None, 40000, at(2026, 3, 1), None, date(2026, 4, 5), [], a),
    )
    made = {}
    for row in deals:
        fields = dict(zip(DEAL_COLUMNS, row, strict=True))
        fields["amount"] = Decimal(fields["amount"])
        made[fields["title"]] = _deal(two_teams, **fields)
    # Orders (KPI 11 counts late shipments, not deals won late): promised → shipped.
    for title, promised, shipped, status, reason in (
        ("D0", date(2026, 2, 20), date(2026, 3, 3), "shipped", "no_stock"),  # late in March
        ("D1", date(2026, 3, 10), date(2026, 3, 14), "shipped", "supplier_delay"),  # late
        ("D2", date(2026, 3, 5), date(2026, 3, 5), "shipped", ""),  # on time
        ("D7", date(2026, 3, 20), None, "open", ""),  # unshipped past its date: late
        ("D3", date(2026, 3, 25), date(2026, 4, 2), "shipped", "logistics"),  # March and April
        ("D6", date(2026, 3, 12), None, "cancelled", ""),  # cancelled: none
        ("D5", date(2026, 4, 5), None, "open", ""),  # promised in April
        ("D4", date(2026, 3, 10), date(2026, 3, 20), "shipped", "other"),  # team B
    ):
        deal = made[title]
        Order.objects.create(
            deal=deal,
            company=first,
            status=status,
            promised_date=promised,
            shipped_date=shipped,
            late_reason=reason,
            late_comment="ждали поставщика" if reason == "supplier_delay" else "",
            responsible=deal.responsible,
            team=deal.team,
        )
    # Leads: one converted, one refused with a reason, one without; one converted in February.
    for *lead, owner in (
        ("L1", "converted", "", at(2026, 3, 5), a),
        ("L2", "disqualified", "no_budget", at(2026, 3, 10), a),
        ("L3", "disqualified", "", at(2026, 3, 12), a),
        ("L4", "converted", "", at(2026, 2, 28), a),
        ("L5", "converted", "", at(2026, 3, 6), b),
    ):
        fields = dict(zip(LEAD_COLUMNS, lead, strict=True))
        Lead.objects.create(**fields, responsible=owner, team=owner.team)
    # Calls and meetings.
    for kind, status, done_at, owner in (
        ("call", "done", at(2026, 3, 2), a),
        ("call", "done", at(2026, 3, 31, 23), a),
        ("call", "done", at(2026, 4, 1, 1), a),
        ("call", "planned", None, a),
        ("call", "done", at(2026, 3, 3), b),
        ("meeting", "done", at(2026, 3, 15), a),
        ("meeting", "done", at(2026, 2, 15), a),
    ):
        Activity.objects.create(
            kind=kind,
            status=status,
            subject=f"{kind} {done_at}",
            completed_at=done_at,
            responsible=owner,
            team=owner.team,
        )
    # Invoices and payments (events only).
    _issue(101, a, at(2026, 3, 3), "2026-03-10", "120000.00")
    _paid(101, at(2026, 3, 12), "70000.00", "2026-03-12", 1)
    _invoice(
        101,
        "payment_refunded",
        at(2026, 3, 20),
        amount="2000.00",
        payment_date="2026-03-20",
        payment_id=2,
    )
    # Paid on March 31, entered on April 2: March revenue; unpaid at March's end.
    _paid(101, at(2026, 4, 2), "50000.00", "2026-03-31", 3)
    _settled(101, at(2026, 4, 2), "120000.00", "2026-03-31")
    _issue(102, a, at(2026, 3, 20), "2026-03-30", "10000.00")
    _paid(102, at(2026, 4, 1), "3000.00", "2026-04-01", 4)
    _issue(103, a, at(2026, 3, 5), "2026-03-12", "5000.00")
    _invoice(103, "invoice_cancelled", at(2026, 3, 6), number="С-103", reason="ошибка")
    _issue(104, b, at(2026, 3, 5), "2026-03-06", "8000.00")
    _issue(105, a, at(2026, 2, 20), "2026-02-27", "5000.00")
    _paid(105, at(2026, 2, 25), "5000.00", "2026-02-25", 5)
    _settled(105, at(2026, 2, 25), "5000.00", "2026-02-25")
    return two_teams


def _values(actor: Any, subject: selectors.Subject, month: kpis.Month = MARCH) -> dict[str, Any]:
    report = selectors.plan_report(actor=actor, month=month, subject=subject)
    return {f.kpi.key: f.actual for f in report.figures}


EXPECTED_A = {
    "revenue": Decimal("118000.00"),
    "projects": Decimal(3),
    "order_processing_days": Decimal("10.00"),
    "positive_decisions": Decimal(1),
    "motivated_refusal_share": Decimal("33.33"),
    "calls": Decimal(2),
    "meetings": Decimal(1),
    "cross_sales": Decimal(1),
    "unpaid_invoices": Decimal(2),
    "overdue_payments_5d": Decimal(1),
    "late_projects": Decimal(4),
}


def test_catalogue_holds_the_eleven_builtin_kpis() -> None:
    keys = [k.key for k in selectors.kpi_catalogue(actor=None)]  # type: ignore[arg-type]
    assert keys == list(kpis.BUILTIN_KEYS)
    assert all(k.definition and k.definition_en for k in Kpi.objects.all())


@pytest.mark.parametrize("key", list(EXPECTED_A))
def test_each_kpi_of_a_hunter_in_march_has_its_known_value(
    history: dict[str, Any], key: str
) -> None:
    hunter = history["hunter_a"]
    values = _values(hunter, selectors.Subject(user=hunter))
    assert values[key] == EXPECTED_A[key]


def test_team_and_department_roll_up_the_same_records(history: dict[str, Any]) -> None:
    head, director = history["head_a"], history["director"]
    team_a = selectors.plan_subject(actor=head, team_id=history["team_a"].pk)
    assert _values(head, team_a) == EXPECTED_A
    department = selectors.plan_subject(actor=director, team_id=history["department"].pk)
    values = _values(director, department)
    assert values["projects"] == 4  # D4 of team B
    assert values["calls"] == 3
    assert values["unpaid_invoices"] == 3  # 104 of team B
    assert values["overdue_payments_5d"] == 2
    assert values["positive_decisions"] == 2
    assert values["motivated_refusal_share"] == Decimal("25.00")  # 1 of 4
    assert values["late_projects"] == 5  # D4's order of team B


def test_next_month_takes_what_crossed_the_edge(history: dict[str, Any]) -> None:
    hunter = history["hunter_a"]
    april = _values(hunter, selectors.Subject(user=hunter), MARCH.next)
    assert april["projects"] == 1  # D3 at 00:10 on April 1
    assert april["calls"] == 1
    assert april["revenue"] == Decimal("3000.00")  # dated April 1
    assert april["unpaid_invoices"] == 1  # 102 still open; 101 paid on April 2
    assert april["late_projects"] == 2  # D3's order shipped on April 2, D5's due on the 5th
    february = _values(hunter, selectors.Subject(user=hunter), MARCH.previous)
    assert february["revenue"] == Decimal("5000.00")
    assert february["positive_decisions"] == 1
    assert february["meetings"] == 1


def test_revenue_can_be_the_won_amount(history: dict[str, Any]) -> None:
    services.planning_settings_update(actor=history["admin"], revenue_basis=RevenueBasis.WON)
    hunter = history["hunter_a"]
    assert _values(hunter, selectors.Subject(user=hunter))["revenue"] == Decimal("157000.00")


def test_the_records_behind_a_figure_are_listed(history: dict[str, Any]) -> None:
    hunter = history["hunter_a"]
    subject = selectors.Subject(user=hunter)
    facts = selectors.kpi_facts(
        actor=hunter,
        month=MARCH,
        subject=subject,
        kpi=selectors.kpi_get(actor=hunter, key="late_projects"),
    )
    assert [f.label for f in facts] == ["D0", "D1", "D7", "D3"]
    assert facts[1].note.startswith("10.03.2026 → 14.03.2026 · ")
    assert facts[1].note.endswith(" · ждали поставщика")
    assert facts[3].note.startswith("25.03.2026 → — · ")  # shipped after March's end
    assert facts[1].url.startswith("/money/orders/")
    pay = selectors.kpi_facts(
        actor=hunter,
        month=MARCH,
        subject=subject,
        kpi=selectors.kpi_get(actor=hunter, key="revenue"),
    )
    assert sum(f.value for f in pay) == Decimal("118000.00")
    assert {f.day for f in pay} == {date(2026, 3, 12), date(2026, 3, 20), date(2026, 3, 31)}


def test_working_days_follow_the_russian_calendar() -> None:
    days = kpis.working_days(MARCH)
    assert date(2026, 3, 10) in days  # a Tuesday
    assert date(2026, 3, 7) not in days  # Saturday
    assert date(2026, 3, 9) not in days  # March 8 fell on a Sunday: Monday is off
    assert len(days) == 21  # 22 weekdays minus March 9
    may = kpis.working_days(kpis.Month(date(2026, 5, 1)))
    assert date(2026, 5, 1) not in may
    assert date(2026, 5, 11) not in may


def test_run_rate_projects_the_pace_over_working_days(history: dict[str, Any]) -> None:
    """From a third of the month on: 10 calls in 8 of March's 21 working days end it at 26."""
    kpi = selectors.kpi_get(actor=history["hunter_a"], key="calls")
    ctx = kpis.Context(month=MARCH, as_of=date(2026, 3, 12))
    assert selectors.run_rate(kpi, Decimal(10), ctx) == Decimal(26)
    assert selectors.run_rate(kpi, Decimal(10), ctx, Decimal(40)) == Decimal(26)
    past = selectors.run_rate(kpi, Decimal(10), kpis.context_for(MARCH))
    assert past == Decimal(10)


def test_early_in_the_month_one_payment_is_not_stretched_over_the_month(
    history: dict[str, Any],
) -> None:
    """A 171 400 payment in the first 2 of March's 21 working days: the pace would say 1.8 M
    against a 729 000 plan; the forecast is the payment plus the plan for the 19 days left."""
    revenue = selectors.kpi_get(actor=history["hunter_a"], key="revenue")
    ctx = kpis.Context(month=MARCH, as_of=date(2026, 3, 3))
    paid, plan = Decimal("171400"), Decimal("729000")
    assert selectors.run_rate(revenue, paid, ctx, plan) == Decimal("830971.43")
    # Without a plan there is nothing to add: the fact so far, not a guess.
    assert selectors.run_rate(revenue, paid, ctx) == paid
    assert selectors.too_early_for_pace(21, 6)
    assert not selectors.too_early_for_pace(21, 7)


def test_a_count_forecast_is_a_whole_number_and_money_keeps_its_kopecks(
    history: dict[str, Any],
) -> None:
    """11 calls in 8 of March's 21 working days end the month at 28.875 calls: shown as 29,
    never «28,88»; revenue at that pace keeps its kopecks."""
    actor = history["hunter_a"]
    ctx = kpis.Context(month=MARCH, as_of=date(2026, 3, 12))
    calls = selectors.run_rate(selectors.kpi_get(actor=actor, key="calls"), Decimal(11), ctx)
    revenue = selectors.run_rate(selectors.kpi_get(actor=actor, key="revenue"), Decimal(11), ctx)
    assert calls == Decimal(29)
    assert calls.as_tuple().exponent == 0
    assert revenue == Decimal("28.88")


def test_custom_kpi_from_building_blocks(history: dict[str, Any]) -> None:
    admin = history["admin"]
    services.kpi_create(actor=admin, key="won_amount_avg", spec=AVERAGE_DEAL)
    services.kpi_create(actor=admin, key="calls_logged", spec=CALLS_LOGGED)
    hunter = history["hunter_a"]
    values = _values(hunter, selectors.Subject(user=hunter))
    assert values["won_amount_avg"] == Decimal("52333.33")  # (100000 + 50000 + 7000) / 3
    assert values["calls_logged"] == 0
    # A field reached through a relation, and a lookup the building blocks do not offer.
    unsafe: dict[str, dict[str, Any]] = {
        "evil": {"aggregate": "sum", "field_name": "responsible__password"},
        "evil2": {"aggregate": "count", "filters": {"title__regex": ".*"}},
    }
    for key, fields in unsafe.items():
        spec = services.KpiSpec(
            name="x", source="record", record="deal", date_field="closed_at", **fields
        )
        with pytest.raises(services.DomainError):
            services.kpi_create(actor=admin, key=key, spec=spec)
    assert not Kpi.objects.filter(key__startswith="evil").exists()


def test_pipeline_forecast_weights_open_deals_due_this_month(history: dict[str, Any]) -> None:
    hunter = history["hunter_a"]
    month = kpis.Month.of(kpis.today())
    ctx = kpis.context_for(month)
    if ctx.as_of >= month.last:
        pytest.skip("the last day of a month has no rest of the month")
    deal = _deal(
        history, title="Pipe", status="open", amount=Decimal(200000), expected_close_date=month.last
    )
    probability = deal.stage.probability
    report = selectors.plan_report(
        actor=hunter, month=month, subject=selectors.Subject(user=hunter)
    )
    revenue = next(f for f in report.figures if f.kpi.key == "revenue")
    assert revenue.pipeline == revenue.actual + Decimal(200000) * probability / 100
    _ = timedelta


def test_end_of_day_report_shows_the_days_contribution(history: dict[str, Any]) -> None:
    hunter = history["hunter_a"]
    rows = {
        r.kpi.key: r
        for r in selectors.day_contribution(actor=hunter, user=hunter, day=date(2026, 3, 31))
    }
    assert (rows["calls"].day, rows["calls"].month) == (1, 2)
    assert rows["revenue"].day == Decimal("50000.00")
    assert rows["revenue"].month == Decimal("118000.00")
    assert rows["projects"].day == 1
    assert "unpaid_invoices" not in rows  # a stock, not a flow
    with pytest.raises(DomainError):
        selectors.day_contribution(actor=history["hunter_b"], user=hunter, day=date(2026, 3, 31))


def commission_march(history: dict[str, Any]) -> None:
    """March with a's payment of С-201 (60 000 on the 15th), a revenue plan of 100 000 for a,
    a scheme (5 %, service 10 %, ×1.5 from 100 %) and b the hunter of a's client."""
    a, b, admin = history["hunter_a"], history["hunter_b"], history["admin"]
    d0, d1 = Deal.objects.get(title="D0"), Deal.objects.get(title="D1")
    service = ProductGroup.objects.get(name="Сервис")
    services.commission_scheme_save(
        actor=admin,
        name="Базовая",
        default_percent="5",
        group_percents={str(service.pk): "10"},
        steps=[["100", "1.5"]],
    )
    plan = MonthPlan.objects.create(period=MARCH.first, user=a)
    PlanTarget.objects.create(
        plan=plan, kpi=selectors.kpi_get(actor=a, key="revenue"), target=100000
    )
    _issue(201, a, at(2026, 3, 14), "2026-03-24", "200000.00")
    issued = Event.objects.filter(case_type="invoice", case_id="201", activity="invoice_issued")
    issued.update(payload={**issued.get().payload, "deal_id": d1.pk})
    _paid(201, at(2026, 3, 15), "60000.00", "2026-03-15", 9)
    ClientHandoff.objects.create(
        company=d0.company,
        hunter=b,
        farmer=a,
        deal=d0,
        share_percent=Decimal(5),
        share_until=date(2027, 1, 1),
    )


def test_commission_statement_traces_every_line_to_a_payment(
    history: dict[str, Any], bearer: Any
) -> None:
    a, b = history["hunter_a"], history["hunter_b"]
    commission_march(history)
    _user, mine = selectors.commission_statement(actor=a, month=MARCH)
    assert mine.multiplier == Decimal("1.5")
    assert mine.achievement == Decimal("178.00")
    assert [str(line.commission) for line in mine.lines if line.invoice == "С-201"] == [
        "2250.00",
        "4500.00",
    ]
    assert mine.total == Decimal("15600.00")
    _user, hunter = selectors.commission_statement(actor=b, month=MARCH)
    assert [(line.kind, line.commission) for line in hunter.lines] == [
        ("hunter_share", Decimal("3000.00"))
    ]
    # The API and the XLSX export answer the same; another team's statement is a 404.
    answer = bearer(a).get("/api/v1/commissions/2026-03")
    assert answer.status_code == 200
    assert Decimal(answer.json()["total"]) == Decimal("15600.00")
    assert bearer(b).get(f"/api/v1/commissions/2026-03?user_id={a.pk}").status_code == 404
    client = Client()
    client.force_login(a)
    export = client.get("/planning/plan/commissions/export/?period=2026-03")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get("/planning/plan/commissions/?period=2026-03").status_code == 200
