"""Demo leads for the demo company's call centre, and a hunter's deal handed to the closer
(each idempotent: skipped when new leads, or a hand-over to a closer, exist)."""

from __future__ import annotations

from typing import Any

from greenwave.accounts.models import RoleCode

from . import services
from .models import (
    CloserHandoff,
    Deal,
    DealStatus,
    Lead,
    LeadCategory,
    LeadRating,
    LeadSource,
    LeadStatus,
    Stage,
)

LEADS = [
    (
        "Иван Петров",
        "ООО «Ромашка»",
        "+7 916 123-45-67",
        "Нужны насосы для водоснабжения",
        "yandex",
    ),
    ("Мария Соколова", "ИП Соколова М.А.", "+7 903 222-11-00", "Запрос прайс-листа", "google"),
    ("Алексей Ким", "ООО «ТехноСнаб»", "+7 495 777-88-99", "Оптовая закупка фильтров", "email"),
    ("Ольга Белова", "АО «Медтехника»", "+7 812 600-10-20", "Сервис оборудования", ""),
]

# Seed 001's classification of each demo lead (category, prospect rating, probability of
# closing, plan of next steps); the last one is left for the operator to classify.
CLASSIFICATIONS: list[dict[str, Any]] = [
    {
        "category": LeadCategory.END_USER,
        "rating": LeadRating.HOT,
        "close_probability": 60,
        "next_steps": "Уточнить напор и расход, выслать КП до пятницы, назначить встречу с "
        "главным инженером.",
    },
    {
        "category": LeadCategory.DEALER,
        "rating": LeadRating.COLD,
        "close_probability": 10,
        "next_steps": "Отправить прайс-лист и условия для дилеров, перезвонить через месяц.",
    },
    {
        "category": LeadCategory.WHOLESALE,
        "rating": LeadRating.WARM,
        "close_probability": 35,
        "next_steps": "Выяснить объём и график поставок, рассчитать оптовую скидку.",
    },
    {},
]


# The demo department's goals for the stage-to-stage conversion, %, (seeds 000/001: conversion
# analysed against goals). Set here and not by a migration: a target is a department's own
# decision, so a real installation starts without one; the demo shows stages above and below.
TARGET_CONVERSIONS: dict[str, dict[str, int]] = {
    "b2b": {
        "qualification": 60,
        "needs": 80,
        "presentation": 60,
        "cp_preparation": 85,
        "cp_approval": 70,
        "contract": 80,
        "invoice": 95,
        "payment": 90,
    },
    "call_centre": {"incoming": 70, "qualified": 60, "meeting_booked": 80, "handed_over": 90},
}


def seed_stage_targets() -> None:
    """The demo targets on the built-in stages that have none (an admin's target stays)."""
    for pipeline_code, targets in TARGET_CONVERSIONS.items():
        stages = Stage.objects.filter(
            pipeline__code=pipeline_code, code__in=list(targets), target_conversion=None
        ).select_related("pipeline")
        for stage in stages:
            services.stage_set_participants_and_target(
                actor=None,
                pipeline=stage.pipeline,
                stage=stage,
                participants=stage.participants,
                target_conversion=targets[stage.code],
            )


def seed_sales(context: dict[str, Any]) -> None:
    """The demo stage targets, and new leads waiting for the call centre (the deals and their
    history come from the generator: greenwave.datagen.demo)."""
    seed_stage_targets()
    if Lead.objects.filter(status=LeadStatus.NEW).exists():
        return
    users = context["users"]
    operators = [users[login] for login in ("callcenter", "callcenter2") if login in users]
    for index, ((name, company, phone, need, utm), classes) in enumerate(
        zip(LEADS, CLASSIFICATIONS, strict=True)
    ):
        services.lead_create(
            actor=None,
            source=LeadSource.WEB_FORM if utm else LeadSource.CALL,
            responsible=operators[index % len(operators)] if operators else None,
            contact_name=name,
            company_name=company,
            phone=phone,
            need=need,
            utm_source=utm,
            utm_medium="cpc" if utm else "",
            utm_campaign="pumps-2026" if utm else "",
            **classes,
        )


# Seed 001: the hunter formed the need and passes the deal on; the closer agrees the order.
CLOSER_HANDOFF_COMMENT = (
    "Потребность сформирована: клиенту нужна поставка под объект до конца квартала, бюджет "
    "согласован с финансовым директором. Осталось согласовать спецификацию и условия оплаты, "
    "ЛПР — главный инженер."
)


def seed_closer_handoff(context: dict[str, Any]) -> None:
    """The hunter hands the closer of his team the open deal he has brought furthest through
    his own stages (the need is formed; the closer's stages follow), else his furthest one —
    through the service, so the deal card shows the hand-over and the event log has it."""
    users = context["users"]
    hunter, closer = users.get("hunter"), users.get("closer")
    if hunter is None or closer is None or CloserHandoff.objects.exists():
        return
    deals = Deal.objects.filter(
        status=DealStatus.OPEN, responsible=hunter, company__isnull=False
    ).order_by("-stage__order", "pk")
    deal = deals.filter(stage__responsible_role=RoleCode.HUNTER).first() or deals.first()
    if deal is not None:
        services.closer_handoff(
            actor=hunter, deal=deal, closer=closer, comment=CLOSER_HANDOFF_COMMENT
        )
