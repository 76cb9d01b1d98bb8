"""The employee's application of the HR processes made from its DOCX template: filled in from
the form and the employee, addressed to the legal entity's signatory, kept with the process and
shown to the head, HR and the accountant with their tasks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from greenwave.bpm import services as bpm
from greenwave.bpm.models import HumanTask, ProcessFile, TaskStatus
from greenwave.core.models import Event
from greenwave.documents.hr_applications import application_render
from greenwave.documents.models import LegalEntity
from greenwave.documents.rendering import docx_text

pytestmark = pytest.mark.django_db

VACATION = {"vacation_kind": "annual", "date_from": "2030-07-01", "date_to": "2030-07-14"}


@pytest.fixture
def employee(make_user: Any, two_teams: dict[str, Any]) -> Any:
    return make_user(
        "petrov",
        roles=["hunter"],
        team=two_teams["team_a"],
        last_name="Петров",
        first_name="Пётр",
        middle_name="Сергеевич",
        position="Менеджер по продажам",
    )


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _open(instance: Any, element: str) -> HumanTask:
    return HumanTask.objects.get(instance=instance, element_id=element, status=TaskStatus.OPEN)


def _text(stored: ProcessFile) -> str:
    stored.file.open("rb")
    with stored.file:
        return docx_text(stored.file.read())


def test_the_vacation_application_is_made_and_each_approver_sees_it(
    seller: LegalEntity, employee: Any, make_user: Any, two_teams: dict[str, Any]
) -> None:
    installed = {d.key: d for d in bpm.library_install(actor=None)}
    hr = make_user("hr", roles=["hr"])
    accountant = make_user("accountant", roles=["accountant"])
    instance = bpm.instance_start(actor=employee, definition=installed["vacation"])
    assert not ProcessFile.objects.exists()  # nothing before the form is filled in
    bpm.task_complete(actor=employee, task=_open(instance, "fill"), data=VACATION)

    stored = ProcessFile.objects.get(instance=instance, field="application")
    assert stored.original_name == "Заявление на отпуск — Петров П. С..docx"
    text = _text(stored)
    assert "ЗАЯВЛЕНИЕ" in text
    assert "Генеральному директору ООО «Гринвейв»" in text
    assert "Смирновой А. П." in text
    assert "от Менеджера по продажам Петрова Петра Сергеевича" in text
    assert (
        "Прошу предоставить мне ежегодный оплачиваемый отпуск с 1 июля 2030 г. по 14 июля "
        "2030 г. (14 календарных дней)." in text
    )
    assert "Петров П. С." in text
    assert Event.objects.filter(
        case_id=str(instance.pk), activity="process_file_attached", payload__file=stored.pk
    ).exists()

    url = f"/processes/files/{stored.pk}/"
    head = _login(two_teams["head_a"])
    approve = _open(instance, "approve")
    assert url in head.get(f"/processes/tasks/{approve.pk}/").content.decode()
    assert head.get(url).status_code == 200
    assert _login(two_teams["hunter_b"]).get(url).status_code == 404
    bpm.task_complete(actor=two_teams["head_a"], task=approve, data={"decision": "approve"})
    for person, element in ((hr, "hr_order"), (accountant, "vacation_pay")):
        client = _login(person)
        page = client.get(f"/processes/tasks/{_open(instance, element).pk}/").content.decode()
        assert url in page, element
        assert client.get(url).content.startswith(b"PK\x03\x04")


def test_the_application_without_a_legal_entity_still_reads(
    employee: Any, two_teams: dict[str, Any]
) -> None:
    installed = {d.key: d for d in bpm.library_install(actor=None)}
    instance = bpm.instance_start(actor=employee, definition=installed["dismissal"])
    bpm.task_complete(
        actor=employee,
        task=_open(instance, "fill"),
        data={"last_day": "2030-08-29", "reason": "переезд <в другой город> & семья"},
    )
    text = _text(ProcessFile.objects.get(instance=instance, field="application"))
    assert "Генеральному директору" in text
    assert "Прошу уволить меня по собственному желанию 29 августа 2030 г." in text
    assert "Причина: переезд <в другой город> & семья." in text  # escaped into the XML


@pytest.mark.parametrize(
    ("key", "variables", "expected"),
    [
        (
            "vacation",
            {"vacation_kind": "unpaid", "date_from": "2030-03-02", "date_to": "2030-03-04"},
            "отпуск без сохранения заработной платы с 2 марта 2030 г. по 4 марта 2030 г. "
            "(3 календарных дня).",
        ),
        (
            "time_off",
            {
                "date_from": "2030-05-15",
                "reason": "семейные обстоятельства",
                "compensation": "worked",
            },
            "Прошу предоставить мне отгул 15 мая 2030 г. в счёт ранее отработанного времени. "
            "Причина: семейные обстоятельства.",
        ),
        (
            "business_trip",
            {
                "destination": "Казань",
                "purpose": "переговоры с заводом",
                "date_from": "2030-04-01",
                "date_to": "2030-04-01",
                "advance": Decimal("15000"),
            },
            "Прошу направить меня в командировку: Казань, с 1 апреля 2030 г. по 1 апреля "
            "2030 г. (1 календарный день). Цель: переговоры с заводом. Прошу выдать аванс "
            "15\u00a0000,00 руб.",
        ),
    ],
)
def test_each_kind_of_application_reads_as_written(
    seller: LegalEntity, employee: Any, key: str, variables: dict[str, Any], expected: str
) -> None:
    content = application_render(
        process_key=key,
        variables=variables,
        employee=employee,
        entity=seller,
        today=date(2030, 1, 10),
    )
    text = docx_text(content)
    assert expected in text, text
    assert "10 января 2030 г." in text
