"""Demo activities: calls, meetings, tasks, notes and e-mails of the demo managers with their
clients and deals — some done in the past weeks, some planned for the coming days."""

from __future__ import annotations

import random
from datetime import timedelta
from functools import partial
from typing import Any

from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.crm.models import Company
from greenwave.sales.models import Deal

from . import services
from .models import Activity, ActivityKind, CallResult

MANAGERS = ("hunter", "hunter2", "farmer", "farmer2", "kam", "closer", "callcenter", "callcenter2")
# A first call only for a client nobody has talked to yet; a client with a deal in progress
# hears about it, one who has bought is called back by the farmer or the KAM (seed 001: keep
# and develop the client, sell more) — never «Первичный звонок» again.
FIRST_CALL = "Первичный звонок: выявить потребность"
DEAL_CALL_SUBJECTS = (
    "Уточнить объём закупки",
    "Обсудить коммерческое предложение",
    "Согласовать дату встречи",
    "Напомнить об оплате счёта",
)
CLIENT_CALL_SUBJECTS = (
    "Узнать, как прошла поставка",
    "Обсудить повторную закупку",
    "Предложить смежные товары",
    "Согласовать дату встречи",
    "Напомнить об оплате счёта",
)
MEETING_SUBJECTS = ("Презентация продукта", "Переговоры по условиям договора", "Встреча с ЛПР")
TASK_SUBJECTS = (
    "Подготовить коммерческое предложение",
    "Отправить договор на согласование",
    "Выставить счёт",
)
DONE_RESULTS = (
    CallResult.MEETING_BOOKED,
    CallResult.PROPOSAL_REQUESTED,
    CallResult.REFUSED,
    CallResult.ORDER_TAKEN,
)


def call_subject(rng: random.Random, *, known: bool, deal: Deal | None) -> str:
    """The subject of a demo call that fits the client: a first call for a new one, the deal's
    business while it is open, a farmer's or KAM's follow-up for a client who has bought."""
    if deal is not None:
        return rng.choice(DEAL_CALL_SUBJECTS)
    return rng.choice(CLIENT_CALL_SUBJECTS) if known else FIRST_CALL


def seed_activities(context: dict[str, Any]) -> None:
    # The generated history (greenwave.datagen.demo) has calls and meetings only; tasks are
    # this seeder's, so they tell whether it ran.
    if Activity.objects.filter(kind=ActivityKind.TASK).exists():
        return
    rng = random.Random(6)  # noqa: S311 - demo data, not security
    users: dict[str, User] = context.get("users", {})
    # Planned work lands in working hours: 10:00 local time of today, plus whole days.
    now = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    for login in MANAGERS:
        user = users.get(login)
        if user is None:
            continue
        # Clients with an open deal first: today's calls are about the deals on the kanban.
        deals = {d.company_id: d for d in Deal.objects.filter(responsible=user, status="open")}
        mine = Company.objects.filter(responsible=user)
        companies = list(mine.filter(pk__in=list(deals)).order_by("pk")[:8])
        companies += list(
            mine.exclude(pk__in=[c.pk for c in companies]).order_by("pk")[: 8 - len(companies)]
        )
        # Clients with a won deal or any activity already: no first call for them.
        known = set(
            Deal.objects.filter(status="won", company__in=companies).values_list(
                "company_id", flat=True
            )
        ) | set(Activity.objects.filter(company__in=companies).values_list("company_id", flat=True))
        for index, company in enumerate(companies):
            deal = deals.get(company.pk)
            # The user's activity about this client and its open deal.
            plan = partial(services.activity_create, actor=user, company=company, deal=deal)
            # A call logged in the past weeks, with its result.
            plan(
                kind=ActivityKind.CALL,
                subject=call_subject(rng, known=company.pk in known, deal=deal),
                done=True,
                call_result=rng.choice(DONE_RESULTS),
                duration_minutes=rng.randint(2, 25),
            )
            # A call planned for the coming working days.
            # The call just logged makes the client known: the next one follows it up.
            plan(
                kind=ActivityKind.CALL,
                subject=call_subject(rng, known=True, deal=deal),
                due_at=now + timedelta(days=index % 4, hours=rng.randint(0, 7)),
            )
            if index % 3 == 0:
                plan(
                    kind=ActivityKind.MEETING,
                    subject=rng.choice(MEETING_SUBJECTS),
                    due_at=now + timedelta(days=index + 1, hours=4),
                    place=company.actual_address or company.legal_address or "Офис клиента",
                    participants=str(user),
                )
            if index % 2 == 0:
                plan(
                    kind=ActivityKind.TASK,
                    subject=rng.choice(TASK_SUBJECTS),
                    due_at=now + timedelta(days=index - 2),
                    priority="high" if index == 0 else "normal",
                    checklist=["Проверить реквизиты", "Согласовать с руководителем"],
                )
            if index % 4 == 1:
                services.activity_create(
                    actor=user,
                    kind=ActivityKind.NOTE,
                    subject="Заметка о клиенте",
                    company=company,
                    description="ЛПР — финансовый директор, решения принимает после тендера.",
                )
                plan(
                    kind=ActivityKind.EMAIL,
                    subject="Коммерческое предложение",
                    email_to=company.email or "info@example.ru",
                )
