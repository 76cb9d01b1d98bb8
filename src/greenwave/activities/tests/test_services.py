"""Services of the activities app: plan, log, complete, move, cancel; events; scoping."""

from __future__ import annotations

import pytest

from greenwave.activities import services
from greenwave.activities.errors import ActivitiesError
from greenwave.activities.models import Activity, ActivityStatus, Reminder
from greenwave.core.errors import DomainError
from greenwave.core.models import Event, EventObject
from greenwave.sales.gates import _done_activities

from .conftest import soon

pytestmark = pytest.mark.django_db


def _call(two_teams, company_a, deal_a=None, **extra):
    return services.activity_create(
        actor=two_teams["hunter_a"],
        kind="call",
        subject="Первичный звонок",
        company=company_a,
        deal=deal_a,
        due_at=soon(),
        **extra,
    )


def test_completing_a_call_on_a_deal_writes_call_completed_seen_by_the_stage_gate(
    two_teams, company_a, deal_a
) -> None:
    call = _call(two_teams, company_a, deal_a)
    assert _done_activities(deal_a, {"call_completed"}) == set()

    services.activity_complete(
        actor=two_teams["hunter_a"], activity=call, call_result="meeting_booked", duration_minutes=7
    )

    call.refresh_from_db()
    assert call.status == ActivityStatus.DONE
    assert call.completed_at is not None
    event = Event.objects.get(case_type="activity", case_id=str(call.pk), activity="call_completed")
    links = set(EventObject.objects.filter(event=event).values_list("object_type", "qualifier"))
    assert {("deal", "deal"), ("company", "client"), ("user", "responsible")} <= links
    assert event.payload["result"] == "meeting_booked"
    assert _done_activities(deal_a, {"call_completed"}) == {"call_completed"}


@pytest.mark.parametrize(
    ("kind", "activity"),
    [("meeting", "meeting_completed"), ("task", "task_completed")],
)
def test_each_kind_writes_its_completion_event(two_teams, deal_a, kind, activity) -> None:
    planned = services.activity_create(
        actor=two_teams["hunter_a"], kind=kind, subject="x", deal=deal_a, due_at=soon()
    )
    assert planned.company_id == deal_a.company_id  # the deal's client is linked too
    services.activity_complete(actor=two_teams["hunter_a"], activity=planned, outcome="ok")
    assert _done_activities(deal_a, {activity}) == {activity}


def test_email_and_note_are_recorded_as_done(two_teams, company_a, deal_a) -> None:
    email = services.activity_create(
        actor=two_teams["hunter_a"], kind="email", subject="КП", deal=deal_a, email_to="a@b.ru"
    )
    note = services.activity_create(
        actor=two_teams["hunter_a"], kind="note", subject="Заметка", company=company_a
    )
    assert email.status == note.status == ActivityStatus.DONE
    assert _done_activities(deal_a, {"email_sent"}) == {"email_sent"}
    assert Event.objects.filter(case_id=str(note.pk), activity="note_added").exists()


def test_call_result_that_needs_a_next_date_without_one_is_refused_and_nothing_changes(
    two_teams, company_a
) -> None:
    call = _call(two_teams, company_a)
    events_before = Event.objects.count()
    with pytest.raises(DomainError) as error:
        services.activity_complete(
            actor=two_teams["hunter_a"], activity=call, call_result="no_answer"
        )
    assert error.value.code == ActivitiesError.NEXT_DATE_REQUIRED
    assert error.value.details["field"] == "next_call_at"
    call.refresh_from_db()
    assert call.status == ActivityStatus.PLANNED
    assert call.call_result == ""
    assert Event.objects.count() == events_before


def test_call_without_a_result_is_refused(two_teams, company_a) -> None:
    call = _call(two_teams, company_a)
    with pytest.raises(DomainError) as error:
        services.activity_complete(actor=two_teams["hunter_a"], activity=call)
    assert error.value.code == ActivitiesError.RESULT_REQUIRED


def test_call_back_result_plans_the_next_call(two_teams, company_a) -> None:
    call = _call(two_teams, company_a)
    call = services.activity_complete(
        actor=two_teams["hunter_a"], activity=call, call_result="call_back", next_call_at=soon(48)
    )
    follow_up = Activity.objects.get(follow_up_of=call)
    assert follow_up.status == ActivityStatus.PLANNED
    assert follow_up.company_id == company_a.pk
    assert follow_up.due_at == call.next_call_at
    assert follow_up.reminders.count() == 1
    assert follow_up.subject == f"Перезвонить: {call.subject}"
    again = services.activity_complete(
        actor=two_teams["hunter_a"],
        activity=follow_up,
        call_result="call_back",
        next_call_at=soon(72),
    )
    assert Activity.objects.get(follow_up_of=again).subject == follow_up.subject  # no chain


def test_logging_a_done_call_checks_the_result_too(two_teams, company_a) -> None:
    with pytest.raises(DomainError) as error:
        services.activity_create(
            actor=two_teams["hunter_a"],
            kind="call",
            subject="x",
            company=company_a,
            done=True,
            call_result="busy",
        )
    assert error.value.code == ActivitiesError.NEXT_DATE_REQUIRED
    assert not Activity.objects.exists()


def test_task_for_a_user_outside_the_actors_scope_is_refused(two_teams) -> None:
    with pytest.raises(DomainError) as error:
        services.activity_create(
            actor=two_teams["hunter_a"],
            kind="task",
            subject="Подготовить КП",
            responsible=two_teams["hunter_b"],
            due_at=soon(),
        )
    assert error.value.code == ActivitiesError.ASSIGNEE_OUT_OF_SCOPE
    assert error.value.status == 403
    assert not Activity.objects.exists()


def test_head_assigns_a_task_with_a_checklist_and_reminders_to_a_team_member(two_teams) -> None:
    remind = soon(1)
    task = services.activity_create(
        actor=two_teams["head_a"],
        kind="task",
        subject="Подготовить КП",
        responsible=two_teams["hunter_a"],
        due_at=soon(3),
        priority="high",
        checklist=["Реквизиты", {"text": "Скидка", "done": True}],
        reminders=[remind],
    )
    assert task.responsible == two_teams["hunter_a"]
    assert task.team == two_teams["team_a"]
    assert task.checklist == [
        {"text": "Реквизиты", "done": False},
        {"text": "Скидка", "done": True},
    ]
    assert list(task.reminders.values_list("remind_at", "user")) == [
        (remind, two_teams["hunter_a"].pk)
    ]
    toggled = services.checklist_toggle(actor=two_teams["hunter_a"], activity=task, index=0)
    assert toggled.checklist_done == 2


def test_linking_another_teams_client_is_a_404(two_teams, company_b) -> None:
    with pytest.raises(DomainError) as error:
        services.activity_create(
            actor=two_teams["hunter_a"], kind="call", subject="x", company=company_b, due_at=soon()
        )
    assert error.value.status == 404


def test_reschedule_needs_a_reason_and_moves_pending_reminders(two_teams, company_a) -> None:
    call = _call(two_teams, company_a)
    old_due = call.due_at
    with pytest.raises(DomainError) as error:
        services.activity_reschedule(
            actor=two_teams["hunter_a"], activity=call, due_at=soon(30), reason=" "
        )
    assert error.value.code == ActivitiesError.REASON_REQUIRED
    new_due = soon(30)
    services.activity_reschedule(
        actor=two_teams["hunter_a"], activity=call, due_at=new_due, reason="Клиент в отпуске"
    )
    call.refresh_from_db()
    assert call.due_at == new_due
    assert call.due_at != old_due
    assert call.reschedule_count == 1
    assert list(call.reminders.values_list("remind_at", flat=True)) == [new_due]
    event = Event.objects.get(case_id=str(call.pk), activity="activity_rescheduled")
    assert event.payload["reason"] == "Клиент в отпуске"


def test_cancelled_activity_cannot_be_completed_and_loses_its_reminders(
    two_teams, company_a
) -> None:
    call = _call(two_teams, company_a)
    services.activity_cancel(actor=two_teams["hunter_a"], activity=call, reason="Дубль")
    assert not Reminder.objects.filter(activity=call).exists()
    with pytest.raises(DomainError) as error:
        services.activity_complete(
            actor=two_teams["hunter_a"], activity=call, call_result="order_taken"
        )
    assert error.value.code == ActivitiesError.NOT_OPEN
    assert error.value.status == 409


def test_a_colleague_who_is_not_responsible_cannot_complete_it(
    two_teams, make_user, company_a
) -> None:
    colleague = make_user("hunter_a2", roles=["hunter"], team=two_teams["team_a"])
    call = _call(two_teams, company_a)
    with pytest.raises(DomainError) as error:
        services.activity_complete(actor=colleague, activity=call, call_result="order_taken")
    assert error.value.code == ActivitiesError.NOT_ALLOWED
