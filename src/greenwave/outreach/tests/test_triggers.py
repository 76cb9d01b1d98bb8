"""Recurring triggers: birthdays, Russian holidays and «a deal enters a stage» — each contact
gets one letter per occurrence however often the worker runs them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail

from greenwave.crm import services as crm_services
from greenwave.outreach import services
from greenwave.outreach.models import Campaign, Delivery
from greenwave.sales import services as sales_services
from greenwave.sales.models import Pipeline

pytestmark = pytest.mark.django_db
LATIN = {
    "Иванов": "ivanov",
    "Високосов": "visokosov",
    "Смирнова": "smirnova",
    "Кузнецов": "kuznetsov",
    "Чужой": "chuzhoi",
    "Свой": "svoi",
}


def _person(owner: Any, name: str, born: date | None = None, company: Any = None) -> Any:
    return crm_services.contact_create(
        actor=owner,
        company=company,
        full_name=name,
        birthday=born,
        mailing_consent=True,
        emails=[f"{LATIN[name.split()[0]]}@example.ru"],
    )


def _trigger(owner: Any, kind: str, **extra: Any) -> Campaign:
    segment = None
    if kind != "stage":
        segment = services.segment_create(actor=owner, name=f"seg {kind}", filters={})
    campaign = services.campaign_create(
        actor=owner,
        name=kind,
        kind=kind,
        segment=segment,
        subject="{{ first_name }}: {{ holiday|default:'привет' }}{{ stage }}",
        body="Здравствуйте, {{ name_and_patronymic }}!",
        **extra,
    )
    services.campaign_send(actor=owner, campaign=campaign)  # switches the trigger on
    campaign.refresh_from_db()
    assert campaign.status == "active"
    return campaign


def test_birthday_trigger_greets_once_a_year_and_29_february_on_the_28th(
    two_teams: dict[str, Any],
) -> None:
    head = two_teams["head_a"]
    _person(head, "Иванов Пётр Ильич", date(1970, 3, 15))
    _person(head, "Високосов Лев Павлович", date(1984, 2, 29))
    _trigger(head, "birthday")
    services.triggers_run(today=date(2027, 3, 15))
    services.triggers_run(today=date(2027, 3, 15))  # the worker runs it again the same day
    services.deliveries_send_due()
    assert [m.to for m in mail.outbox] == [["ivanov@example.ru"]]
    assert "Пётр Ильич" in mail.outbox[0].body
    services.triggers_run(today=date(2027, 2, 28))
    services.deliveries_send_due()
    assert mail.outbox[-1].to == ["visokosov@example.ru"]
    services.triggers_run(today=date(2028, 3, 15))  # next year: a new occurrence
    services.deliveries_send_due()
    assert len(mail.outbox) == 3
    assert Delivery.objects.filter(occurrence="birthday:2027").count() == 2


def test_holiday_trigger_sends_once_per_holiday_with_its_name(two_teams: dict[str, Any]) -> None:
    head = two_teams["head_a"]
    _person(head, "Смирнова Анна Викторовна")
    _trigger(head, "holiday")
    services.triggers_run(today=date(2027, 3, 7))  # not a holiday
    assert not Delivery.objects.exists()
    services.triggers_run(today=date(2027, 3, 8))
    services.triggers_run(today=date(2027, 3, 8))
    services.triggers_run(today=date(2027, 1, 2))
    services.triggers_run(today=date(2027, 1, 3))  # the same New Year holidays: no second letter
    services.deliveries_send_due()
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["Анна: Международный женский день", "Анна: Новогодние каникулы"]


def test_stage_trigger_writes_to_the_deal_contacts_when_the_deal_enters_the_stage(
    two_teams: dict[str, Any], default_pipelines: None
) -> None:
    head = two_teams["head_a"]
    company = crm_services.company_create(actor=head, name="ООО Ромашка")
    contact = _person(head, "Кузнецов Олег Петрович", company=company)
    pipeline = Pipeline.objects.get(code="b2b")
    stages = list(pipeline.stages.order_by("order"))
    _trigger(head, "stage", trigger_stage=stages[1])
    deal = sales_services.deal_create(
        actor=head, title="Поставка", pipeline=pipeline, company=company, contacts=[contact]
    )
    services.triggers_run()
    assert not Delivery.objects.exists()  # created in the first stage, not the trigger's
    sales_services.deal_move(actor=head, deal=deal, stage=stages[1], override_comment="ok")
    services.triggers_run()
    services.triggers_run()
    services.deliveries_send_due()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith(stages[1].name)
    # Back and in again: a new occurrence, a new letter.
    sales_services.deal_move(actor=head, deal=deal, stage=stages[0])
    deal.refresh_from_db()
    sales_services.deal_move(actor=head, deal=deal, stage=stages[1], override_comment="ok")
    services.triggers_run()
    services.deliveries_send_due()
    assert len(mail.outbox) == 2


def test_a_trigger_only_reaches_contacts_its_owner_reads(
    two_teams: dict[str, Any],
) -> None:
    _person(two_teams["hunter_b"], "Чужой Клиент Иванович", date(1970, 5, 5))
    _person(two_teams["hunter_a"], "Свой Клиент Иванович", date(1970, 5, 5))
    _trigger(two_teams["hunter_a"], "birthday")
    services.triggers_run(today=date(2027, 5, 5))
    services.deliveries_send_due()
    assert [m.to for m in mail.outbox] == [["svoi@example.ru"]]
