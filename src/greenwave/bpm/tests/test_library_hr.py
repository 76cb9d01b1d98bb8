"""The HR processes of seed 001, each run through the services to every end event: the
employee applies, their head approves, HR and the accountant get their tasks, the `notify`
steps reach people in the app and by e-mail, the absence lands in the event log."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from greenwave.bpm import services
from greenwave.bpm.models import (
    HumanTask,
    InstanceStatus,
    Notification,
    ProcessFile,
    ProcessInstance,
    TaskStatus,
)
from greenwave.bpm.selectors import task_list_mine
from greenwave.bpm.tests.steps import do_task, ended, notes, open_tasks
from greenwave.core.models import Event

pytestmark = pytest.mark.django_db(transaction=False)

PDF = b"%PDF-1.4\n% a scanned application\n"
# A vacation application of two days.
TWO_DAYS_OFF = {"vacation_kind": "annual", "date_from": "2030-07-01", "date_to": "2030-07-02"}


@pytest.fixture
def people(make_user: Any, two_teams: dict[str, Any]) -> dict[str, Any]:
    # HR and the accountant sit in no sales team: their offers must reach them all the same.
    return {
        **two_teams,
        "hr": make_user("hr", roles=["hr"], email="hr@example.com"),
        "accountant": make_user("accountant", roles=["accountant"], email="acc@example.com"),
        "employee": make_user(
            "employee", roles=["hunter"], team=two_teams["team_a"], email="emp@example.com"
        ),
        "newcomer": make_user("newcomer", roles=["hunter"], team=two_teams["team_a"]),
    }


def _start(library: dict[str, Any], key: str, user: Any) -> ProcessInstance:
    return services.instance_start(actor=user, definition=library[key])


def _applied(library: dict[str, Any], people: dict[str, Any], key: str, **fill: Any) -> Any:
    """The employee starts the process `key` and fills in the application."""
    instance = _start(library, key, people["employee"])
    do_task(people["employee"], instance, "fill", **fill)
    return instance


def _approved(library: dict[str, Any], people: dict[str, Any], key: str, **fill: Any) -> Any:
    """The employee's application of the process `key`, approved by their head."""
    instance = _applied(library, people, key, **fill)
    do_task(people["head_a"], instance, "approve", decision="approve")
    return instance


# -- vacation ---------------------------------------------------------------------------------


def test_vacation_goes_from_the_head_to_hr_and_the_accountant_at_once(
    library: dict[str, Any], people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    employee = people["employee"]
    instance = _start(library, "vacation", employee)
    (fill,) = open_tasks(instance)
    assert (fill.element_id, fill.assignee) == ("fill", employee)
    scan = SimpleUploadedFile("заявление.pdf", PDF, content_type="application/pdf")
    do_task(
        employee,
        instance,
        "fill",
        vacation_kind="annual",
        date_from="2030-07-01",
        date_to="2030-07-14",
        attachment=scan,
    )
    (approve,) = open_tasks(instance)
    assert approve.candidate_role == "head_of_sales"
    assert approve in task_list_mine(actor=people["head_a"])
    assert approve not in task_list_mine(actor=people["head_b"])  # another team's head
    stored = ProcessFile.objects.get(instance=instance, field="attachment")
    assert stored.original_name == "заявление.pdf"
    assert stored.file.read() == PDF
    assert "заявление" not in stored.file.name  # stored under a random name
    do_task(people["head_a"], instance, "approve", decision="approve")
    tasks = {t.element_id: t for t in open_tasks(instance)}
    assert set(tasks) == {"hr_order", "vacation_pay"}
    assert tasks["hr_order"].candidate_role == "hr"
    assert tasks["vacation_pay"].candidate_role == "accountant"
    assert tasks["hr_order"] in task_list_mine(actor=people["hr"])
    assert tasks["vacation_pay"] in task_list_mine(actor=people["accountant"])
    assert tasks["hr_order"] not in task_list_mine(actor=people["accountant"])
    do_task(people["hr"], instance, "hr_order", order_number="17-о", order_date="2030-06-20")
    assert ProcessInstance.objects.get(pk=instance.pk).status == InstanceStatus.RUNNING
    with django_capture_on_commit_callbacks(execute=True):
        do_task(people["accountant"], instance, "vacation_pay", vacation_pay="45000")
    instance = ended(instance, "end_approved")
    assert notes(instance) == [("employee", "Отпуск согласован")]
    assert [m.to for m in mail.outbox] == [["emp@example.com"]]
    assert "Отпуск согласован" in mail.outbox[0].body
    assert Notification.objects.get(instance=instance).emailed
    absence = Event.objects.get(case_id=str(instance.pk), activity="process_absence_recorded")
    assert absence.payload["employee"] == "employee"
    assert (absence.payload["date_from"], absence.payload["date_to"]) == (
        "2030-07-01",
        "2030-07-14",
    )
    assert Event.objects.filter(
        case_id=str(instance.pk), activity="process_notification_sent"
    ).exists()
    assert instance.variables["attachment"]["file_id"] == stored.pk
    outcome = Event.objects.get(case_id=str(instance.pk), activity="process_completed")
    assert outcome.payload["outcome"] == "approved"


def test_vacation_rejected_by_the_head_tells_the_employee(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    instance = _applied(
        library,
        people,
        "vacation",
        vacation_kind="unpaid",
        date_from="2030-07-01",
        date_to="2030-07-03",
    )
    do_task(people["head_a"], instance, "approve", decision="reject", comment="сдача проекта")
    instance = ended(instance, "end_rejected")
    assert notes(instance) == [("employee", "Отпуск не согласован")]
    assert not HumanTask.objects.filter(instance=instance, element_id="hr_order").exists()


def test_hr_of_no_team_cannot_take_the_heads_approval(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    from greenwave.core.errors import DomainError

    instance = _applied(library, people, "vacation", **TWO_DAYS_OFF)
    (approve,) = open_tasks(instance)
    with pytest.raises(DomainError):
        services.task_complete(actor=people["hr"], task=approve, data={"decision": "approve"})
    assert HumanTask.objects.get(pk=approve.pk).status == TaskStatus.OPEN


# -- sick leave -------------------------------------------------------------------------------


def test_sick_leave_with_a_sick_list_goes_to_hr_then_the_accountant(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    instance = _approved(
        library, people, "sick_leave", absence_kind="sick_list", date_from="2030-02-01"
    )
    (task,) = open_tasks(instance)
    assert (task.element_id, task.candidate_role) == ("hr_sheet", "hr")
    do_task(people["hr"], instance, "hr_sheet", sheet_number="910000000001")
    (task,) = open_tasks(instance)
    assert (task.element_id, task.candidate_role) == ("accrue_benefit", "accountant")
    do_task(people["accountant"], instance, "accrue_benefit", benefit="12000")
    instance = ended(instance, "end_done")
    assert notes(instance) == [("employee", "Отсутствие оформлено")]


@pytest.mark.parametrize(
    ("kind", "accountant_step"), [("unpaid", "record_unpaid"), ("remote", None)]
)
def test_sick_leave_unpaid_or_from_home(
    library: dict[str, Any], people: dict[str, Any], kind: str, accountant_step: str | None
) -> None:
    instance = _approved(library, people, "sick_leave", absence_kind=kind, date_from="2030-02-01")
    if accountant_step:
        (task,) = open_tasks(instance)
        assert task.element_id == accountant_step
        do_task(people["accountant"], instance, accountant_step, days=2)
    instance = ended(instance, "end_done")
    assert not HumanTask.objects.filter(instance=instance, element_id="hr_sheet").exists()


# -- business trip ----------------------------------------------------------------------------


def test_business_trip_approved_tells_the_accountant_and_the_employee(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    instance = _approved(
        library,
        people,
        "business_trip",
        destination="Казань",
        purpose="Переговоры с дилером",
        date_from="2030-03-10",
        date_to="2030-03-12",
        advance="15000",
    )
    assert notes(instance) == [("accountant", "Уведомить бухгалтера о командировке")]
    (task,) = open_tasks(instance)
    assert task.candidate_role == "accountant"
    do_task(
        people["accountant"], instance, "pay_advance", advance_paid="15000", paid_on="2030-03-09"
    )
    instance = ended(instance, "end_approved")
    assert ("employee", "Командировка утверждена") in notes(instance)


# -- time off ---------------------------------------------------------------------------------


def test_time_off_approved_goes_to_the_accountant(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    instance = _approved(
        library,
        people,
        "time_off",
        date_from="2030-04-02",
        reason="семейные",
        compensation="worked",
    )
    (task,) = open_tasks(instance)
    assert (task.element_id, task.candidate_role) == ("account", "accountant")
    do_task(people["accountant"], instance, "account")
    instance = ended(instance, "end_approved")
    absence = Event.objects.get(case_id=str(instance.pk), activity="process_absence_recorded")
    assert absence.payload["kind"] == "worked"
    assert absence.payload["date_to"] == "2030-04-02"


# -- dismissal --------------------------------------------------------------------------------


def test_dismissal_approved_goes_to_hr_and_the_accountant(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    instance = _approved(
        library, people, "dismissal", last_day="2030-05-31", handover_to="hunter_a"
    )
    (task,) = open_tasks(instance)
    assert task.candidate_role == "hr"
    do_task(people["hr"], instance, "hr_dismiss", order_number="5-у", workbook_issued=True)
    (task,) = open_tasks(instance)
    assert task.candidate_role == "accountant"
    do_task(people["accountant"], instance, "final_pay", final_amount="80000", paid_on="2030-05-31")
    instance = ended(instance, "end_approved")
    assert notes(instance) == [
        ("accountant", "Уведомить бухгалтера об увольнении"),
        ("employee", "Увольнение оформлено"),
    ]


# -- rejections -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "fill", "told"),
    [
        pytest.param(
            "sick_leave",
            {"absence_kind": "remote", "date_from": "2030-02-01"},
            [("employee", "Отсутствие не подтверждено")],
            id="sick_leave_not_confirmed",
        ),
        pytest.param(
            "business_trip",
            {
                "destination": "Казань",
                "purpose": "x",
                "date_from": "2030-03-10",
                "date_to": "2030-03-12",
            },
            [("employee", "Командировка не утверждена")],
            id="business_trip_not_approved_closes",
        ),
        pytest.param(
            "time_off",
            {"date_from": "2030-04-02", "reason": "x", "compensation": "unpaid"},
            # the head of the employee's team and the head above; not the other team's head
            [
                ("director", "Уведомить руководителя отдела об отказе"),
                ("employee", "Отгул не согласован"),
                ("head_a", "Уведомить руководителя отдела об отказе"),
            ],
            id="time_off_rejected_tells_the_heads_and_the_author",
        ),
        pytest.param(
            "dismissal",
            {"last_day": "2030-05-31"},
            [("employee", "Заявление не согласовано")],
            id="dismissal_rejected",
        ),
    ],
)
def test_an_application_the_head_rejects_ends_and_tells_its_people(
    library: dict[str, Any],
    people: dict[str, Any],
    key: str,
    fill: dict[str, str],
    told: list[tuple[str, str]],
) -> None:
    instance = _applied(library, people, key, **fill)
    do_task(people["head_a"], instance, "approve", decision="reject")
    instance = ended(instance, "end_rejected")
    assert notes(instance) == told


# -- hiring -----------------------------------------------------------------------------------


def test_hiring_newcomer_reads_the_documents_and_the_head_onboards(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    hr = people["hr"]
    instance = _start(library, "hiring", hr)
    (task,) = open_tasks(instance)
    assert (task.element_id, task.assignee) == ("enter", hr)
    do_task(
        hr,
        instance,
        "enter",
        newcomer="newcomer",
        position="Менеджер",
        head="head_a",
        start_date="2030-09-01",
    )
    (task,) = open_tasks(instance)
    assert (task.element_id, task.assignee) == ("acknowledge", people["newcomer"])
    from greenwave.core.errors import DomainError

    with pytest.raises(DomainError):  # every document must be read
        do_task(people["newcomer"], instance, "acknowledge", rules_read=True, duties_read=True)
    do_task(
        people["newcomer"],
        instance,
        "acknowledge",
        rules_read=True,
        duties_read=True,
        nda_read=True,
    )
    (task,) = open_tasks(instance)
    assert (task.element_id, task.assignee) == ("onboard", people["head_a"])
    do_task(people["head_a"], instance, "onboard", mentor="hunter_a", training="Продукт, CRM")
    instance = ended(instance, "end")
    assert notes(instance) == [("hr", "Сотрудник оформлен")]


# -- the file field ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "not accepted"),
        ("scan.pdf", b"MZ\x90\x00 not a pdf", "does not match"),
    ],
)
def test_a_file_of_a_wrong_type_is_refused_and_nothing_is_kept(
    library: dict[str, Any], people: dict[str, Any], name: str, content: bytes, message: str
) -> None:
    from django.utils import translation

    from greenwave.core.errors import DomainError

    employee = people["employee"]
    instance = _start(library, "vacation", employee)
    with pytest.raises(DomainError) as error, translation.override("en"):
        do_task(
            employee,
            instance,
            "fill",
            **TWO_DAYS_OFF,
            attachment=SimpleUploadedFile(name, content),
        )
    assert message in str(error.value.details)
    assert not ProcessFile.objects.exists()
    assert [t.element_id for t in open_tasks(instance)] == ["fill"]


def test_a_file_over_the_limit_is_refused(
    library: dict[str, Any], people: dict[str, Any], settings: Any
) -> None:
    from greenwave.core.errors import DomainError

    settings.BPM_FILE_MAX_BYTES = 1024
    employee = people["employee"]
    instance = _start(library, "vacation", employee)
    with pytest.raises(DomainError):
        do_task(
            employee,
            instance,
            "fill",
            **TWO_DAYS_OFF,
            attachment=SimpleUploadedFile("big.pdf", PDF + b"0" * 2048),
        )
    assert not ProcessFile.objects.exists()
