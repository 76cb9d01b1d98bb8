"""Input and output shapes of the activities API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from greenwave.accounts.schemas import NamedRef, UserRef
from greenwave.core.api import InSchema, resolve_attr


class LinkRef(NamedRef):
    pass  # a linked client, contact, lead or deal


class ActivityOut(Schema):
    id: int
    kind: str
    status: str
    subject: str
    description: str
    due_at: datetime | None
    duration_minutes: int | None
    priority: str
    responsible: UserRef
    team_id: int | None
    company: LinkRef | None
    contact: LinkRef | None
    lead: LinkRef | None
    deal: LinkRef | None
    direction: str
    call_result: str
    recording_url: str
    next_call_at: datetime | None
    place: str
    participants: str
    outcome: str
    checklist: list[dict[str, Any]]
    email_to: str
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    reschedule_count: int
    created_at: datetime


class ActivityIn(InSchema):
    kind: str
    subject: str
    responsible_id: int | None = None
    company_id: int | None = None
    contact_id: int | None = None
    lead_id: int | None = None
    deal_id: int | None = None
    due_at: datetime | None = None
    done: bool = False
    description: str = ""
    priority: str = "normal"
    duration_minutes: int | None = None
    direction: str = ""
    call_result: str = ""
    next_call_at: datetime | None = None
    recording_url: str = Field("", max_length=500)
    place: str = ""
    participants: str = ""
    outcome: str = ""
    checklist: list[str] = []
    email_to: str = ""
    reminders: list[datetime] = []


class ActivityCompleteIn(InSchema):
    call_result: str = ""
    next_call_at: datetime | None = None
    duration_minutes: int | None = None
    recording_url: str = Field("", max_length=500)
    outcome: str = ""
    checklist: list[dict[str, Any]] | None = None


class RescheduleIn(InSchema):
    due_at: datetime
    reason: str


class CancelIn(InSchema):
    reason: str = ""


class ReminderOut(Schema):
    id: int
    activity_id: int
    subject: str
    remind_at: datetime

    resolve_subject = resolve_attr("activity.subject")
