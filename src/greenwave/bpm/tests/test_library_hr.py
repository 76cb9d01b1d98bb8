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
    ProcessDefinition,
    ProcessFile,
    ProcessInstance,
    TaskStatus,
)
from greenwave.bpm.selectors import task_list_mine
from greenwave.core.models import Event

pytestmark = pytest.mark.django_db(transaction=False)

PDF = b"%PDF-1.4\n% a scanned application\n"


@pytest.fixture
def library(db: Any) -> dict[str, ProcessDefinition]:
    return {d.key: d for d in services.library_install(actor=None)}


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


def _open(instance: ProcessInstance) -> list[HumanTask]:
    return list(HumanTask.objects.filter(instance=instance, status=TaskStatus.OPEN).order_by("pk"))


def _do(user: Any, instance: ProcessInstance, element: str, **data: Any) -> HumanTask:
    task = HumanTask.objects.get(instance=instance, element_id=element, status=TaskStatus.OPEN)
    files = {k: v for k, v in data.items() if isinstance(v, SimpleUploadedFile)}
    values = {k: v for k, v in data.items() if k not in files}
    return services.task_complete(actor=user, task=task, data=values, files=files or None)


def _ended(instance: ProcessInstance, end: str) -> ProcessInstance:
    instance = ProcessInstance.objects.get(pk=instance.pk)
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.element_states[end] == "done"
    return instance


def _notes(instance: ProcessInstance) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(instance=instance).values_list("recipient__username", "body")
    )


def _start(library: dict[str, Any], key: str, user: Any) -> ProcessInstance:
    return services.instance_start(actor=user, definition=library[key])


# -- vacation ---------------------------------------------------------------------------------


def test_vacation_goes_from_the_head_to_hr_and_the_accountant_at_once(
    library: dict[str, Any], people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    employee = people["employee"]
    instance = _start(library, "vacation", employee)
    (fill,) = _open(instance)
    assert (fill.element_id, fill.assignee) == ("fill", employee)
    scan = SimpleUploadedFile("заявление.pdf", PDF, content_type="application/pdf")
    _do(
        employee,
        instance,
        "fill",
        vacation_kind="annual",
        date_from="2030-07-01",
        date_to="2030-07-14",
        attachment=scan,
    )
    (approve,) = _open(instance)
    assert approve.candidate_role == "head_of_sales"
    assert approve in task_list_mine(actor=people["head_a"])
    assert approve not in task_list_mine(actor=people["head_b"])  # another team's head
    stored = ProcessFile.objects.get(instance=instance, field="attachment")
    assert stored.original_name == "заявление.pdf"
    assert stored.file.read() == PDF
    assert "заявление" not in stored.file.name  # stored under a random name
    _do(people["head_a"], instance, "approve", decision="approve")
    tasks = {t.element_id: t for t in _open(instance)}
    assert set(tasks) == {"hr_order", "vacation_pay"}
    assert tasks["hr_order"].candidate_role == "hr"
    assert tasks["vacation_pay"].candidate_role == "accountant"
    assert tasks["hr_order"] in task_list_mine(actor=people["hr"])
    assert tasks["vacation_pay"] in task_list_mine(actor=people["accountant"])
    assert tasks["hr_order"] not in task_list_mine(actor=people["accountant"])
    _do(people["hr"], instance, "hr_order", order_number="17-о", order_date="2030-06-20")
    assert ProcessInstance.objects.get(pk=instance.pk).status == InstanceStatus.RUNNING
    with django_capture_on_commit_callbacks(execute=True):
        _do(people["accountant"], instance, "vacation_pay", vacation_pay="45000")
    instance = _ended(instance, "end_approved")
    assert _notes(instance) == [("employee", "Отпуск согласован")]
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
    employee = people["employee"]
    instance = _start(library, "vacation", employee)
    _do(
        employee,
        instance,
        "fill",
        vacation_kind="unpaid",
        date_from="2030-07-01",
        date_to="2030-07-03",
    )
    _do(people["head_a"], instance, "approve", decision="reject", comment="сдача проекта")
    instance = _ended(instance, "end_rejected")
    assert _notes(instance) == [("employee", "Отпуск не согласован")]
    assert not HumanTask.objects.filter(instance=instance, element_id="hr_order").exists()


def test_hr_of_no_team_cannot_take_the_heads_approval(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    from greenwave.core.errors import DomainError

    instance = _start(library, "vacation", people["employee"])
    _do(
        people["employee"],
        instance,
        "fill",
        vacation_kind="annual",
        date_from="2030-07-01",
        date_to="2030-07-02",
    )
    (approve,) = _open(instance)
    with pytest.raises(DomainError):
        services.task_complete(actor=people["hr"], task=approve, data={"decision": "approve"})
    assert HumanTask.objects.get(pk=approve.pk).status == TaskStatus.OPEN


# -- sick leave -------------------------------------------------------------------------------


def test_sick_leave_with_a_sick_list_goes_to_hr_then_the_accountant(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    employee = people["employee"]
    instance = _start(library, "sick_leave", employee)
    _do(employee, instance, "fill", absence_kind="sick_list", date_from="2030-02-01")
    _do(people["head_a"], instance, "approve", decision="approve")
    (task,) = _open(instance)
    assert (task.element_id, task.candidate_role) == ("hr_sheet", "hr")
    _do(people["hr"], instance, "hr_sheet", sheet_number="910000000001")
    (task,) = _open(instance)
    assert (task.element_id, task.candidate_role) == ("accrue_benefit", "accountant")
    _do(people["accountant"], instance, "accrue_benefit", benefit="12000")
    instance = _ended(instance, "end_done")
    assert _notes(instance) == [("employee", "Отсутствие оформлено")]


@pytest.mark.parametrize(
    ("kind", "accountant_step"), [("unpaid", "record_unpaid"), ("remote", None)]
)
def test_sick_leave_unpaid_or_from_home(
    library: dict[str, Any], people: dict[str, Any], kind: str, accountant_step: str | None
) -> None:
    employee = people["employee"]
    instance = _start(library, "sick_leave", employee)
    _do(employee, instance, "fill", absence_kind=kind, date_from="2030-02-01")
    _do(people["head_a"], instance, "approve", decision="approve")
    if accountant_step:
        (task,) = _open(instance)
        assert task.element_id == accountant_step
        _do(people["accountant"], instance, accountant_step, days=2)
    instance = _ended(instance, "end_done")
    assert not HumanTask.objects.filter(instance=instance, element_id="hr_sheet").exists()


def test_sick_leave_not_confirmed(library: dict[str, Any], people: dict[str, Any]) -> None:
    employee = people["employee"]
    instance = _start(library, "sick_leave", employee)
    _do(employee, instance, "fill", absence_kind="remote", date_from="2030-02-01")
    _do(people["head_a"], instance, "approve", decision="reject")
    instance = _ended(instance, "end_rejected")
    assert _notes(instance) == [("employee", "Отсутствие не подтверждено")]


# -- business trip ----------------------------------------------------------------------------


def test_business_trip_approved_tells_the_accountant_and_the_employee(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    employee = people["employee"]
    instance = _start(library, "business_trip", employee)
    _do(
        employee,
        instance,
        "fill",
        destination="Казань",
        purpose="Переговоры с дилером",
        date_from="2030-03-10",
        date_to="2030-03-12",
        advance="15000",
    )
    _do(people["head_a"], instance, "approve", decision="approve")
    assert _notes(instance) == [("accountant", "Уведомить бухгалтера о командировке")]
    (task,) = _open(instance)
    assert task.candidate_role == "accountant"
    _do(people["accountant"], instance, "pay_advance", advance_paid="15000", paid_on="2030-03-09")
    instance = _ended(instance, "end_approved")
    assert ("employee", "Командировка утверждена") in _notes(instance)


def test_business_trip_not_approved_closes(library: dict[str, Any], people: dict[str, Any]) -> None:
    employee = people["employee"]
    instance = _start(library, "business_trip", employee)
    _do(
        employee,
        instance,
        "fill",
        destination="Казань",
        purpose="x",
        date_from="2030-03-10",
        date_to="2030-03-12",
    )
    _do(people["head_a"], instance, "approve", decision="reject")
    instance = _ended(instance, "end_rejected")
    assert _notes(instance) == [("employee", "Командировка не утверждена")]


# -- time off ---------------------------------------------------------------------------------


def test_time_off_approved_goes_to_the_accountant(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    employee = people["employee"]
    instance = _start(library, "time_off", employee)
    _do(
        employee, instance, "fill", date_from="2030-04-02", reason="семейные", compensation="worked"
    )
    _do(people["head_a"], instance, "approve", decision="approve")
    (task,) = _open(instance)
    assert (task.element_id, task.candidate_role) == ("account", "accountant")
    _do(people["accountant"], instance, "account")
    instance = _ended(instance, "end_approved")
    absence = Event.objects.get(case_id=str(instance.pk), activity="process_absence_recorded")
    assert absence.payload["kind"] == "worked"
    assert absence.payload["date_to"] == "2030-04-02"


def test_time_off_rejected_tells_the_heads_and_the_author(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    employee = people["employee"]
    instance = _start(library, "time_off", employee)
    _do(employee, instance, "fill", date_from="2030-04-02", reason="x", compensation="unpaid")
    _do(people["head_a"], instance, "approve", decision="reject")
    instance = _ended(instance, "end_rejected")
    # the head of the employee's team and the head above; not the other team's head
    assert _notes(instance) == [
        ("director", "Уведомить руководителя отдела об отказе"),
        ("employee", "Отгул не согласован"),
        ("head_a", "Уведомить руководителя отдела об отказе"),
    ]


# -- dismissal --------------------------------------------------------------------------------


def test_dismissal_approved_goes_to_hr_and_the_accountant(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    employee = people["employee"]
    instance = _start(library, "dismissal", employee)
    _do(employee, instance, "fill", last_day="2030-05-31", handover_to="hunter_a")
    _do(people["head_a"], instance, "approve", decision="approve")
    (task,) = _open(instance)
    assert task.candidate_role == "hr"
    _do(people["hr"], instance, "hr_dismiss", order_number="5-у", workbook_issued=True)
    (task,) = _open(instance)
    assert task.candidate_role == "accountant"
    _do(people["accountant"], instance, "final_pay", final_amount="80000", paid_on="2030-05-31")
    instance = _ended(instance, "end_approved")
    assert _notes(instance) == [
        ("accountant", "Уведомить бухгалтера об увольнении"),
        ("employee", "Увольнение оформлено"),
    ]


def test_dismissal_rejected(library: dict[str, Any], people: dict[str, Any]) -> None:
    employee = people["employee"]
    instance = _start(library, "dismissal", employee)
    _do(employee, instance, "fill", last_day="2030-05-31")
    _do(people["head_a"], instance, "approve", decision="reject")
    instance = _ended(instance, "end_rejected")
    assert _notes(instance) == [("employee", "Заявление не согласовано")]


# -- hiring -----------------------------------------------------------------------------------


def test_hiring_newcomer_reads_the_documents_and_the_head_onboards(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    hr = people["hr"]
    instance = _start(library, "hiring", hr)
    (task,) = _open(instance)
    assert (task.element_id, task.assignee) == ("enter", hr)
    _do(
        hr,
        instance,
        "enter",
        newcomer="newcomer",
        position="Менеджер",
        head="head_a",
        start_date="2030-09-01",
    )
    (task,) = _open(instance)
    assert (task.element_id, task.assignee) == ("acknowledge", people["newcomer"])
    from greenwave.core.errors import DomainError

    with pytest.raises(DomainError):  # every document must be read
        _do(people["newcomer"], instance, "acknowledge", rules_read=True, duties_read=True)
    _do(
        people["newcomer"],
        instance,
        "acknowledge",
        rules_read=True,
        duties_read=True,
        nda_read=True,
    )
    (task,) = _open(instance)
    assert (task.element_id, task.assignee) == ("onboard", people["head_a"])
    _do(people["head_a"], instance, "onboard", mentor="hunter_a", training="Продукт, CRM")
    instance = _ended(instance, "end")
    assert _notes(instance) == [("hr", "Сотрудник оформлен")]


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
        _do(
            employee,
            instance,
            "fill",
            vacation_kind="annual",
            date_from="2030-07-01",
            date_to="2030-07-02",
            attachment=SimpleUploadedFile(name, content),
        )
    assert message in str(error.value.details)
    assert not ProcessFile.objects.exists()
    assert [t.element_id for t in _open(instance)] == ["fill"]


def test_a_file_over_the_limit_is_refused(
    library: dict[str, Any], people: dict[str, Any], settings: Any
) -> None:
    from greenwave.core.errors import DomainError

    settings.BPM_FILE_MAX_BYTES = 1024
    employee = people["employee"]
    instance = _start(library, "vacation", employee)
    with pytest.raises(DomainError):
        _do(
            employee,
            instance,
            "fill",
            vacation_kind="annual",
            date_from="2030-07-01",
            date_to="2030-07-02",
            attachment=SimpleUploadedFile("big.pdf", PDF + b"0" * 2048),
        )
    assert not ProcessFile.objects.exists()
