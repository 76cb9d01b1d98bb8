"""What a process's service steps do to people once the step has run: `notify` sends an
in-app notification and an e-mail, `absence_record` writes the absence to the event log.

`services.steps._sync` calls `step_effects` with the elements the engine just passed, after the
instance is saved, inside the same transaction: the rows and events commit with the step,
and the e-mail leaves only once they did (`transaction.on_commit`).

Whom a `notify` step tells: the logins in the variable `notify_to` when set; otherwise its
lane — a role lane tells the holders of that role who may act on the process (the head of
the employee's team, the accountants, HR); a lane of people (e.g. «Менеджер», whose tasks
go to `=manager`) tells the person its tasks are assigned to; otherwise the person who
started the process. What it says: the variable `notify_text` when set, else the
step's name — the part after a colon for a name such as «Уведомить сотрудника: отпуск
согласован».
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.core.errors import not_found
from greenwave.core.services import event_append_for

from . import events, scope
from .models import Notification, ProcessInstance

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 50


def _step_event(
    instance: ProcessInstance, element_id: str, activity: str, actor: User | None, **payload: Any
) -> None:
    """An event in the instance's case about its step `element_id`."""
    event_append_for(
        instance, activity=activity, actor=actor, payload={"element": element_id, **payload}
    )


def _logins(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v]
    return []


def notify_recipients(instance: ProcessInstance, element_id: str) -> list[User]:
    from .services import role_code

    variables = instance.variables or {}
    named = _logins(variables.get("notify_to"))
    if named:
        return list(User.objects.filter(username__in=named, is_active=True)[:MAX_RECIPIENTS])
    lane = instance.definition.metadata.get("elements", {}).get(element_id, {}).get("lane", "")
    role = role_code(str(lane))
    if not role:
        person = _lane_person(instance, str(lane))
        return [person] if person is not None and person.is_active else []
    holders = User.objects.filter(roles__code=role, is_active=True).order_by("pk")
    wide = role in scope.COMPANY_WIDE_OFFER_ROLES
    return [u for u in holders[:MAX_RECIPIENTS] if wide or scope.covers_instance(u, instance)]


def _lane_person(instance: ProcessInstance, lane: str) -> User | None:
    """Whom the lane's tasks are assigned to by a variable (e.g. «Менеджер» holds tasks for
    `=manager`), else the person who started the process."""
    from .services import _resolve, _user_by_ref

    metadata = instance.definition.metadata
    elements = metadata.get("elements", {})
    for element_id, task in metadata.get("user_tasks", {}).items():
        assignee = str(task.get("assignee") or "")
        if assignee and elements.get(element_id, {}).get("lane") == lane:
            person = _user_by_ref(_resolve(assignee, instance.variables or {}))
            if person is not None:
                return person
    return instance.responsible


def notify_text(instance: ProcessInstance, element_id: str, language: str | None = None) -> str:
    """What a `notify` step says (a built-in process's step name in `language`)."""
    from .library.texts import library_text

    text = str((instance.variables or {}).get("notify_text") or "").strip()
    if text:
        return text[:2000]
    name = instance.definition.metadata.get("elements", {}).get(element_id, {}).get("name", "")
    name = library_text(instance.definition.key, str(name), language or settings.LANGUAGE_CODE)
    _head, sep, tail = str(name).partition(":")
    message = tail.strip() if sep and tail.strip() else str(name).strip() or element_id
    return message[:1].upper() + message[1:]


def _send_mail(pk_list: list[int]) -> None:
    for note in Notification.objects.filter(pk__in=pk_list).select_related("recipient"):
        address = note.recipient.email
        if not address:
            continue
        link = settings.GREENWAVE_BASE_URL.rstrip("/") + (
            reverse("bpm:instance_detail", args=[note.instance_id]) if note.instance_id else ""
        )
        try:
            send_mail(note.title, f"{note.body}\n\n{link}", None, [address])
        except OSError:  # the SMTP server is down: the in-app notice stays, the log says why
            logger.exception("process notification e-mail to %s failed", address)
            continue
        Notification.objects.filter(pk=note.pk).update(emailed=True)


def _language(person: User) -> str:
    return str(person.language or settings.LANGUAGE_CODE)


def notify(instance: ProcessInstance, element_id: str, actor: User | None) -> list[Notification]:
    from .library.texts import library_text

    people = notify_recipients(instance, element_id)
    body = notify_text(instance, element_id)
    definition = instance.definition
    notes = Notification.objects.bulk_create(
        [  # each in the recipient's language (a built-in process's texts have both)
            Notification(
                recipient=person,
                instance=instance,
                element_id=element_id,
                title=f"{library_text(definition.key, definition.name, _language(person))} "
                f"#{instance.pk}"[:255],
                body=notify_text(instance, element_id, _language(person)),
            )
            for person in people
        ]
    )
    _step_event(
        instance,
        element_id,
        events.NOTIFICATION_SENT,
        actor,
        text=body,
        recipients=[p.username for p in people],
    )
    pk_list = [n.pk for n in notes]
    if pk_list:
        transaction.on_commit(lambda: _send_mail(pk_list))
    return notes


def absence_record(instance: ProcessInstance, element_id: str, actor: User | None) -> None:
    """The absence schedule is the event log: who is away, why, from when to when."""
    variables = instance.variables or {}
    employee = instance.responsible
    _step_event(
        instance,
        element_id,
        events.ABSENCE_RECORDED,
        actor,
        employee=employee.username if employee else None,
        process=instance.definition.key,
        date_from=variables.get("date_from"),
        date_to=variables.get("date_to") or variables.get("date_from"),
        kind=variables.get("vacation_kind")
        or variables.get("absence_kind")
        or variables.get("compensation")
        or instance.definition.key,
    )


Effect = Callable[[ProcessInstance, str, User | None], object]
EFFECTS: dict[str, Effect] = {"notify": notify, "absence_record": absence_record}


def register_step_effect(action: str, effect: Effect) -> None:
    """What another app does once a step of its action has run and been saved (it sees the
    process run, e.g. documents' `hr_application` makes the employee's application)."""
    EFFECTS[action] = effect


def step_effects(instance: ProcessInstance, passed: Iterable[str], actor: User | None) -> None:
    actions = instance.definition.metadata.get("service_actions", {})
    for element_id in passed:
        effect = EFFECTS.get(str(actions.get(element_id, "")))
        if effect is not None:
            effect(instance, element_id, actor)


# -- the reader's side ------------------------------------------------------------------------


def notification_list(*, actor: User) -> QuerySet[Notification]:
    """Only one's own notifications."""
    return Notification.objects.filter(recipient=actor).select_related("instance__definition")


def notification_unread_count(actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at=None).count()


@transaction.atomic
def notifications_mark_read(*, actor: User, pk: int | None = None) -> int:
    """Mark one (or every) unread notification of the actor as read."""
    qs = Notification.objects.filter(recipient=actor, read_at=None)
    if pk is not None:
        qs = qs.filter(pk=pk)
    count = qs.update(read_at=timezone.now())
    if (
        pk is not None
        and count == 0
        and not Notification.objects.filter(recipient=actor, pk=pk).exists()
    ):
        raise not_found(_("Notification not found."))
    return count
