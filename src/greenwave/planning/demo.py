"""Demo days: yesterday closed and today planned for every demo manager, built from the
suggestions the way a manager does it in the morning."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from greenwave.accounts.demo import DEMO_USERS, DEPARTMENT, TEAM_HEADS
from greenwave.accounts.models import User
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm.models import ProductGroup
from greenwave.documents import services as doc_services
from greenwave.orders import services as money
from greenwave.orders.demo import SELLER
from greenwave.orders.models import Payment
from greenwave.sales.models import Deal, DealStatus

from . import selectors, services
from .models import DayPlan

# Every demo manager who plans a day (a role of `selectors.PLANNING_ROLES`), of both teams.
DAY_PLANNERS = tuple(
    login
    for login, _first, _last, _position, roles, _team in DEMO_USERS
    if set(roles) & set(selectors.PLANNING_ROLES)
)

# The heads and the director plan their days too (their own calls to key clients), when the
# generated history leaves them clients to suggest.
HEAD_PLANNERS = ("head_north", "head_south", "director")


def seed_days(context: dict[str, Any]) -> None:
    users: dict[str, User] = context.get("users", {})
    for login in (*DAY_PLANNERS, *HEAD_PLANNERS):
        user = users.get(login)
        if user is None or DayPlan.objects.filter(user=user).exists():
            continue
        today = services.today_for(user)
        yesterday = today - timedelta(days=1)
        for day in (yesterday, today):
            plan = services.day_plan_open(actor=user, day=day)
            added = 0
            for suggestion in selectors.suggestions(actor=user, day=day):
                if added == 5:
                    break
                try:
                    # A suggestion's fields are those of the item it becomes.
                    services.day_plan_add_item(actor=user, plan=plan, **vars(suggestion))
                except DomainError:
                    # A call on the manager's deal with a client already handed to a farmer
                    # of the other team: suggested, but not the manager's to plan.
                    continue
                added += 1
        plan = DayPlan.objects.get(user=user, date=yesterday)
        comments = {
            str(item.pk): "Клиент не ответил, перенёс на завтра" for item in plan.items.all()
        }
        services.day_plan_close(actor=user, plan=plan, miss_comments=comments)


# Of the won deals of last month and this month (closing order), every fifth is left unpaid
# and every fourth paid in half, so that unpaid and overdue invoices show too.
MONTH_PAYMENTS_LIMIT = 80


def seed_month_payments(context: dict[str, Any]) -> None:
    """Invoices and payments of the demo's won deals of last month and this month, entered by
    the demo finance manager through the documents and orders services: each won deal is
    invoiced on its closing day (due in 10 days) and paid 2–8 days later (never after today).
    With them revenue «paid» — the default of the plan, the accountants' figure — is
    meaningful, and the plans, «Мой план» and the commission statements of the demo read
    the same payments as the receivables. Idempotent: a deal with an invoice is skipped."""
    from datetime import datetime, time

    from django.utils import timezone

    from .kpis import Month, today

    finance = context.get("users", {}).get("finance")
    if finance is None:
        return
    now = today()
    since = datetime.combine(
        Month.of(now).previous.first, time(0), tzinfo=timezone.get_default_timezone()
    )
    deals = list(
        Deal.objects.filter(
            status=DealStatus.WON,
            closed_at__gte=since,
            company__isnull=False,
            company__is_deleted=False,
            amount__gt=0,
            invoices__isnull=True,
        )
        .select_related("company")
        .order_by("closed_at", "pk")[:MONTH_PAYMENTS_LIMIT]
    )
    if not deals:
        return
    seller = doc_services.legal_entity_default() or doc_services.legal_entity_create(
        actor=None, data=dict(SELLER)
    )
    for index, deal in enumerate(deals):
        issued = min(timezone.localtime(deal.closed_at).date(), now) if deal.closed_at else now
        try:
            invoice = doc_services.invoice_create_from_deal(actor=None, deal=deal, seller=seller)
            invoice = doc_services.invoice_issue(
                actor=None, invoice=invoice, issue_date=issued, due_date=issued + timedelta(days=10)
            )
        except DomainError:
            continue
        if index % 5 == 4:
            continue
        share = Decimal("0.5") if index % 4 == 3 else Decimal(1)
        amount = (invoice.total * share).quantize(Decimal("0.01"))
        if amount <= 0:
            continue
        money.payment_record(
            actor=finance,
            invoice=invoice,
            amount=amount,
            payment_date=min(issued + timedelta(days=2 + index % 7), now),
            document_number=str(600 + invoice.pk),
            payer_inn=deal.company.inn if deal.company else "",
            payer_name=deal.company.name if deal.company else "",
            purpose=f"Оплата по счёту № {invoice.number} от {issued:%d.%m.%Y}",
        )


def seed_month_plans(context: dict[str, Any]) -> None:
    """This month's plan for every demo manager and team, set by the director the way a head
    does it: last month's actual of each KPI raised by a tenth (lowered for the KPIs where
    less is better). Revenue is the default «paid»: `seed_month_payments` has invoiced and
    paid the won deals of last month and this month just before. Only a demo without any
    payment at all (the orders app's money not seeded) counts revenue as won deals."""
    from .kpis import Month, today
    from .models import KpiDirection, KpiUnit, MonthPlan, RevenueBasis

    users: dict[str, User] = context.get("users", {})
    director = users.get(TEAM_HEADS[DEPARTMENT])
    if director is None or director.team is None:
        return
    month = Month.of(today())
    if MonthPlan.objects.filter(period=month.first).exists():
        return
    if not Event.objects.filter(case_type="invoice", activity="payment_received").exists():
        services.planning_settings_update(actor=director, revenue_basis=RevenueBasis.WON)
    people = list(selectors.team_members(actor=director, team=director.team))
    grid = selectors._grid(
        actor=director,
        month=month.previous,
        team=director.team,
        kpis=selectors.kpi_catalogue(actor=director),
        people=people,
        teams=[],
    )
    for row in grid.rows:
        targets: dict[str, Decimal] = {}
        for figure in row.figures:
            if figure.actual is None or figure.actual <= 0:
                continue
            factor = Decimal("0.9") if figure.kpi.direction == KpiDirection.DOWN else Decimal("1.1")
            step = Decimal("1000") if figure.kpi.unit == KpiUnit.MONEY else Decimal(1)
            value = (figure.actual * factor / step).quantize(Decimal(1)) * step
            if figure.kpi.unit == KpiUnit.PERCENT:
                value = min(value, Decimal(100))
            targets[figure.kpi.key] = max(value, step)
        if targets and row.user is not None:
            services.plan_targets_set(actor=director, month=month, user=row.user, targets=targets)


def seed_motivation(context: dict[str, Any]) -> None:
    """The demo's commission scheme (5 % of paid revenue, 7 % for services, ×0.8 below 80 %
    of the plan… ×1.2 from 100 %) and one assistant split (seed 002): a closer does the
    routine work of the clients of last month's best-paid manager after the contract and
    takes 10 % of that manager's commission — both set by the director, so the statements
    of the demo have lines of every kind."""
    from datetime import date

    from .models import AssistantSplit, CommissionScheme

    users: dict[str, User] = context.get("users", {})
    director = users.get(TEAM_HEADS[DEPARTMENT])
    if director is None or CommissionScheme.objects.exists():
        return
    services_group = ProductGroup.objects.filter(name__icontains="Услуг").first()
    services.commission_scheme_save(
        actor=director,
        name="Базовая схема",
        default_percent="5",
        group_percents={str(services_group.pk): "7"} if services_group else {},
        steps=[["0", "0.8"], ["80", "1"], ["100", "1.2"]],
    )
    first = services.today_for(director).replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    # The manager: the one paid most last month (a hunter first); the assistant: a closer.
    from django.db.models import Sum

    ranked = list(
        Payment.objects.filter(payment_date__gte=previous, payment_date__lt=first)
        .values("responsible_id")
        .annotate(s=Sum("amount"))
        .order_by("-s")
        .values_list("responsible_id", flat=True)
    )
    manager = next((u for u in users.values() if ranked and u.pk == ranked[0]), None)
    manager = manager or users.get("hunter")
    assistant = next(
        (
            users[login]
            for login in ("closer", "hunter", "hunter2")
            if login in users and manager and users[login].pk != manager.pk
        ),
        None,
    )
    if manager is not None and assistant is not None and not AssistantSplit.objects.exists():
        services.assistant_split_save(
            actor=director,
            manager=manager,
            assistant=assistant,
            share_percent="10",
            valid_from=date(previous.year, previous.month, 1),
        )
