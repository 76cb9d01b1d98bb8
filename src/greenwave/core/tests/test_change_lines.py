"""Timelines speak the user's language: field labels, localized dates, choices, stage moves."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from greenwave.core.change_lines import change_lines
from greenwave.core.models import Event
from greenwave.core.services import event_append, ref
from greenwave.core.templatetags.greenwave import ago
from greenwave.crm import services as crm_services
from greenwave.sales import services as sales_services
from greenwave.sales.tests.conftest import b2b, default_pipelines, stages  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_deal_change_reads_with_labels_and_localized_values(two_teams, b2b) -> None:  # noqa: F811
    hunter = two_teams["hunter_a"]
    deal = sales_services.deal_create(actor=hunter, title="Поставка", pipeline=b2b)
    sales_services.deal_update(
        actor=hunter,
        deal=deal,
        expected_close_date=date(2026, 12, 30),
        amount=Decimal("1250000.50"),
    )
    event = Event.objects.filter(case_type="deal", activity="deal_changed").latest("pk")
    with translation.override("ru"):
        lines = {
            line.label: (line.before, line.after) for line in change_lines("deal", event.payload)
        }
    assert lines["Ожидаемая дата закрытия"] == ("—", "30.12.2026")
    assert lines["Сумма"][1].replace("\xa0", " ") == "1 250 000,50"


def test_choices_and_booleans_show_their_names(two_teams) -> None:
    hunter = two_teams["hunter_a"]
    company = crm_services.company_create(actor=hunter, name="ООО «Ромашка»")
    contact = crm_services.contact_create(actor=hunter, company=company, full_name="Иванов Иван")
    crm_services.contact_update(actor=hunter, contact=contact, gender="male", mailing_consent=True)
    event = Event.objects.filter(case_type="contact", activity="contact_changed").latest("pk")
    with translation.override("ru"):
        text = {line.label: line.after for line in change_lines("contact", event.payload)}
    assert text["Пол"] == "Мужской"
    assert text["Согласие на рассылки"] == "да"


def test_a_stage_move_says_from_and_to(client, two_teams, b2b, stages) -> None:  # noqa: F811
    hunter = two_teams["hunter_a"]
    deal = sales_services.deal_create(actor=hunter, title="Поставка", pipeline=b2b)
    sales_services.deal_move(
        actor=two_teams["head_a"],
        deal=deal,
        stage=stages["needs"],
        override_comment="Звонок был вне системы",
    )
    client.force_login(hunter)
    page = client.get(f"/activities/timeline/deal/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="ru")
    assert "Этап: Квалификация → Оценка потребности" in page.content.decode()


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (5, "только что"),
        (70, "минуту назад"),
        (5 * 60, "5 минут назад"),
        (22 * 60, "22 минуты назад"),
        (3 * 3600, "3 часа назад"),
        (21 * 3600, "21 час назад"),
        (30 * 3600, "вчера"),
        (5 * 86400, "5 дней назад"),
    ],
)
def test_relative_times_are_grammatical_russian(seconds: int, said: str) -> None:
    with translation.override("ru"):
        assert ago(timezone.now() - timedelta(seconds=seconds)) == said


def test_a_deal_feed_groups_the_steps_of_a_process_into_one_line(client, two_teams, b2b) -> None:  # noqa: F811
    hunter = two_teams["hunter_a"]
    deal = sales_services.deal_create(actor=hunter, title="Договор", pipeline=b2b)
    for name in ("Проверка руководителем", "Проверка юристом", "Проверка финансистом"):
        event_append(
            case_type="process_instance",
            case_id=41,
            activity="process_token_moved",
            actor=None,
            payload={"name": name},
            objects=[ref(deal, "deal")],
        )
    client.force_login(hunter)
    page = client.get(f"/activities/timeline/deal/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="ru")
    html = page.content.decode()
    assert html.count("Шаг процесса пройден") == 1
    assert "× 3" in html
    assert "Проверка руководителем → Проверка юристом → Проверка финансистом" in html


def test_a_change_of_responsible_names_people_not_logins(two_teams, b2b) -> None:  # noqa: F811
    hunter, closer = two_teams["hunter_a"], two_teams["head_a"]
    hunter.first_name, hunter.last_name = "Иван", "Охотников"
    hunter.save(update_fields=["first_name", "last_name"])
    deal = sales_services.deal_create(actor=hunter, title="Поставка", pipeline=b2b)
    payload = {"changes": {"responsible": [hunter.username, closer.username]}}
    event_append(
        case_type="deal", case_id=deal.pk, activity="deal_changed", actor=hunter, payload=payload
    )
    event = Event.objects.filter(case_type="deal", activity="deal_changed").latest("pk")
    (line,) = change_lines("deal", event.payload)
    assert (line.before, line.after) == (str(hunter), str(closer))
    assert str(hunter) != hunter.username
    # A value that is no login (a name written by an older event) is shown as it stands.
    (line,) = change_lines("deal", {"changes": {"responsible": ["Иван Иванов", None]}})
    assert (line.before, line.after) == ("Иван Иванов", "—")


def test_a_stage_move_reads_in_the_readers_language(client, two_teams, b2b, stages) -> None:  # noqa: F811
    hunter = two_teams["hunter_a"]
    stages["needs"].name_en = "Needs assessment"
    stages["needs"].save(update_fields=["name_en"])
    deal = sales_services.deal_create(actor=hunter, title="Поставка", pipeline=b2b)
    sales_services.deal_move(
        actor=two_teams["head_a"], deal=deal, stage=stages["needs"], override_comment="Звонок"
    )
    event = Event.objects.filter(case_type="deal", activity="deal_stage_changed").latest("pk")
    with translation.override("en"):
        (line,) = change_lines("deal", event.payload)
    assert line.after == "Needs assessment"
    with translation.override("ru"):
        (line,) = change_lines("deal", event.payload)
    assert line.after == "Оценка потребности"
    # An event written before the English names were kept reads as written.
    with translation.override("en"):
        (line,) = change_lines("deal", {"from_name": "Квалификация", "to_name": "Оценка"})
    assert (line.before, line.after) == ("Квалификация", "Оценка")
