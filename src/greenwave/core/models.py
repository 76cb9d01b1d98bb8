"""Shared kernel models: the base model every app inherits, the one event log and the cursors
its readers keep.

Ids are bigint auto-increments everywhere (decided once): they are half the size of UUIDs in
every index and foreign key, insert in order (no random page splits on 10M-row tables such as
the event log), and sort by creation. They are not secrets: every read goes through a scoped
selector, so guessing an id gives nothing (DESIGN.md §5, no IDOR).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greenwave.core.model_fields import optional_moment


class TimeStampedModel(models.Model):
    """Base of every domain model: bigint id (DEFAULT_AUTO_FIELD) and two timestamps."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class VersionedDefinition(TimeStampedModel):
    """One version of an uploaded model (a BPMN process, a DMN decision) under a stable key,
    listed newest version first per key. Versions are never edited: an upload adds the next
    one, so whatever ran against a version stays explainable; the uploaded XML bytes are the
    source of truth. Each kind declares its own key, name, version and XML columns (their
    lengths, labels and indexes differ)."""

    name: str
    version: int
    xml: bytes | memoryview

    class Meta:
        abstract = True
        ordering = ["key", "-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def xml_bytes(self) -> bytes:
        return bytes(self.xml)


def newest_first_index(name: str) -> models.Index:
    """The default list order of a record, newest first (the id breaking ties): a LIMIT
    reads the index, no sort."""
    return models.Index(fields=["-created_at", "-id"], name=name)


class Event(models.Model):
    """One state change of one case; append-only (DESIGN.md "the event spine").

    `prev_activity`/`prev_timestamp` copy the previous event of the same case at write time so
    that transitions (a→b) and their durations are a plain indexed scan, not a window query
    over ten million rows.
    """

    case_type = models.CharField(_("case type"), max_length=40)
    case_id = models.CharField(_("case id"), max_length=64)
    activity = models.CharField(pgettext_lazy("event log", "activity"), max_length=80)
    timestamp = models.DateTimeField(_("timestamp"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    prev_activity = models.CharField(_("previous activity"), max_length=80, blank=True)
    prev_timestamp = optional_moment(_("previous timestamp"))

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["case_type", "case_id", "timestamp"], name="event_case_idx"),
            models.Index(fields=["case_type", "activity", "timestamp"], name="event_activity_idx"),
            models.Index(
                fields=["case_type", "prev_activity", "activity"], name="event_transition_idx"
            ),
            models.Index(fields=["timestamp"], name="event_timestamp_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_type}:{self.case_id} {self.activity}"


class EventObject(models.Model):
    """An object an event involves besides its case (OCEL 2.0 event-to-object relation).

    A deal's stage change also touches its company and contact; the company's timeline finds
    the event here by (object_type, object_id).
    """

    # No index of its own: `eventobject_unique` starts with event_id and serves the lookups
    # by event (a page's prefetch of `links`, the cascade of a deletion).
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="links", db_index=False)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=64)
    qualifier = models.CharField(_("qualifier"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("event object")
        verbose_name_plural = _("event objects")
        indexes = [models.Index(fields=["object_type", "object_id"], name="eventobject_obj_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "object_type", "object_id", "qualifier"],
                name="eventobject_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}"


class SavedFilter(TimeStampedModel):
    """A person's named search/filter/sort of one list page, to come back to in one click."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    path = models.CharField(_("page"), max_length=200)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filter"), max_length=2000)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "path", "name"], name="savedfilter_unique")
        ]

    def __str__(self) -> str:
        return self.name


class EventLogCursor(models.Model):
    """How far a rollup has brought itself along the event log: the last event id it took
    in, and when it was last rebuilt from the whole log (None: never)."""

    last_event_id = models.BigIntegerField(default=0)
    rebuilt_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SettlingCursor(models.Model):
    """How far a reader of the event log has got when ids must settle first: an id is
    handed out at insert but visible at commit, so the reader notes the highest id it has
    seen and when (`seen_id`, `seen_at`) and takes ids in only once they have settled."""

    name = models.CharField(max_length=40, unique=True)
    seen_id = models.BigIntegerField(default=0)
    seen_at = optional_moment()

    class Meta:
        abstract = True
