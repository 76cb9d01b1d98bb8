"""Process definitions (BPMN bytes + versions), instances, the task inbox, timers, messages
and incidents.

The instance's engine state is one serialized blob; everything the inbox, the worker and the
message API query lives in its own indexed table so that no list ever deserializes a state.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import OwnedRecord, Team, User
from greenwave.core.model_fields import choice_field, kept_link, optional_link, optional_moment
from greenwave.core.models import TimeStampedModel, VersionedDefinition


class DefinitionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DEPLOYED = "deployed", _("Deployed")
    RETIRED = "retired", _("Retired")


class ProcessDefinition(VersionedDefinition):
    """One version of a BPMN file (see `VersionedDefinition`): an instance runs the version it
    was started from."""

    EVENT_CASE_TYPE = "process_definition"

    key = models.CharField(_("key"), max_length=100, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    xml = models.BinaryField(_("BPMN XML"))
    status = choice_field(
        _("status"), DefinitionStatus, max_length=10, default=DefinitionStatus.DRAFT
    )
    is_executable = models.BooleanField(_("executable"), default=True)
    process_id = models.CharField(_("process id"), max_length=200)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    unsupported = models.JSONField(_("unsupported elements"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = kept_link(User, _("uploaded by"))
    deployed_at = optional_moment(_("deployed"))

    class Meta(VersionedDefinition.Meta):
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="bpm_definition_key_version")
        ]


class InstanceStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed (incident)")


class ProcessInstance(OwnedRecord):
    """One run of a definition version. `lock_version` grows on every advance. Owned by
    whoever started it (`responsible`) and by the team of its record, else of its starter."""

    EVENT_CASE_TYPE = "process_instance"

    definition = models.ForeignKey(
        ProcessDefinition,
        verbose_name=_("definition"),
        on_delete=models.PROTECT,
        related_name="instances",
    )
    status = choice_field(
        _("status"), InstanceStatus, max_length=10, default=InstanceStatus.RUNNING
    )
    state = models.TextField(_("engine state"))
    serializer_version = models.CharField(_("serializer version"), max_length=40)
    lock_version = models.PositiveIntegerField(_("version counter"), default=0)
    variables = models.JSONField(_("variables"), default=dict, blank=True)
    element_states = models.JSONField(_("element states"), default=dict, blank=True)
    # Indexed for equality only (`Meta.indexes`): `db_index` would add a second index for
    # LIKE 'x%' that nothing runs (the list's search is `icontains`).
    business_key = models.CharField(_("business key"), max_length=120, blank=True)
    object_type = models.CharField(_("business object type"), max_length=40, blank=True)
    object_id = models.CharField(_("business object id"), max_length=64, blank=True)
    ended_at = optional_moment(_("ended"))

    class Meta:
        verbose_name = _("process instance")
        verbose_name_plural = _("process instances")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="bpm_instance_status_idx"),
            models.Index(fields=["object_type", "object_id"], name="bpm_instance_object_idx"),
            models.Index(fields=["business_key"], name="bpm_instance_business_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.definition.name} #{self.pk}"


def instance_link(
    related_name: str, **options: Any
) -> models.ForeignKey[ProcessInstance, ProcessInstance]:
    """The process a row is part of (a task, a timer, a file…): it goes with the process."""
    return models.ForeignKey(
        ProcessInstance,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name=related_name,
        **options,
    )


class EngineWait(TimeStampedModel):
    """What an instance waits for at one task of its engine — a person's task, a timer, a
    message — found again by the instance and the engine's task id."""

    engine_task_id = models.CharField(_("engine task id"), max_length=64)
    element_id = models.CharField(_("BPMN element"), max_length=200)

    class Meta:
        abstract = True


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class HumanTask(EngineWait):
    """The inbox row of a user task (read without touching the engine state)."""

    EVENT_CASE_TYPE = "human_task"

    # Every process step inserts a task row and closes one (an UPDATE that is never HOT:
    # `status` is indexed), so each index here is written twice a step. The instance's own
    # index is the unique constraint's leading column; the links that are empty on most rows
    # are indexed only where they are set (`= x` and `IN (…)`, which their deletion uses,
    # imply IS NOT NULL, so the partial index serves them).
    instance = instance_link("tasks", db_index=False)
    name = models.CharField(_("name"), max_length=255)
    status = choice_field(_("status"), TaskStatus, max_length=10, default=TaskStatus.OPEN)
    assignee = kept_link(User, _("assignee"), related_name="bpm_tasks")
    candidate_role = models.CharField(_("candidate role"), max_length=32, blank=True)
    candidate_team = kept_link(Team, _("candidate team"), db_index=False)
    team = kept_link(Team, _("team"), db_index=False)
    form_schema = models.JSONField(_("form"), default=list, blank=True)
    due_at = optional_moment(_("due"))
    escalated_at = optional_moment(_("escalated"))
    claimed_by = kept_link(User, _("claimed by"), db_index=False)
    claimed_at = optional_moment(_("claimed"))
    completed_by = kept_link(User, _("completed by"), db_index=False)
    completed_at = optional_moment(_("completed"))
    result = models.JSONField(_("form data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "created_at"]
        indexes = [
            models.Index(fields=["status", "assignee"], name="bpm_task_assignee_idx"),
            models.Index(fields=["status", "candidate_role"], name="bpm_task_role_idx"),
            # The team's own index, the status second: it serves both `team_id IN (…)` (the
            # tasks a head sees, a deleted team's rows) and `status = … AND team_id IN (…)`.
            # (The assignee keeps two: `status = 'open' AND assignee IS NOT NULL`, a head's
            # overdue tasks, reads `(status, assignee)` for both conditions.)
            models.Index(fields=["team", "status"], name="bpm_task_team_status_idx"),
            *(
                models.Index(
                    fields=[link], name=name, condition=models.Q(**{f"{link}__isnull": False})
                )
                for link, name in (
                    ("candidate_team", "bpm_task_cand_team_set_idx"),
                    ("claimed_by", "bpm_task_claimed_by_set_idx"),
                    ("completed_by", "bpm_task_completed_by_set_idx"),
                )
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "engine_task_id"], name="bpm_task_engine_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Timer(EngineWait):
    """A waiting timer event; `claimed_*` lets a dead worker's claim expire."""

    instance = instance_link("timers")
    due_at = models.DateTimeField(_("due"))
    # A worker claims a timer by its row lock while firing it (bpm.services.timer_fire_next);
    # these say which worker fired it, or which one failed it last and when (then it waits).
    claimed_by = models.CharField(_("claimed by worker"), max_length=100, blank=True)
    claimed_at = optional_moment(_("claimed"))
    fired_at = optional_moment(_("fired"))
    cancelled_at = optional_moment(_("cancelled"))

    class Meta:
        verbose_name = _("timer")
        verbose_name_plural = _("timers")
        indexes = [
            models.Index(fields=["fired_at", "cancelled_at", "due_at"], name="bpm_timer_due_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "engine_task_id"], name="bpm_timer_engine_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.element_id} @ {self.due_at:%Y-%m-%d %H:%M}"


class MessageSubscription(EngineWait):
    """A process waiting for a message (by name, optionally by business key)."""

    instance = instance_link("subscriptions")
    message_name = models.CharField(_("message"), max_length=200)
    correlation_key = models.CharField(_("correlation key"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("message subscription")
        verbose_name_plural = _("message subscriptions")
        indexes = [models.Index(fields=["message_name", "correlation_key"], name="bpm_message_idx")]
        constraints = [
            # An event-based gateway waits for several messages in one engine task.
            models.UniqueConstraint(
                fields=["instance", "engine_task_id", "message_name"],
                name="bpm_subscription_engine_unique",
            )
        ]

    def __str__(self) -> str:
        return self.message_name


class Incident(TimeStampedModel):
    """A failed step: the error is kept, shown, and the step can be retried after a fix."""

    instance = instance_link("incidents")
    element_id = models.CharField(_("BPMN element"), max_length=200, blank=True)
    error = models.TextField(_("error"))
    retries = models.PositiveIntegerField(_("retries"), default=0)
    resolved_at = optional_moment(_("resolved"))

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.error[:80]


class ProcessFile(TimeStampedModel):
    """A file handed in through a task form (`type="file"`): the document to approve travels
    with the process. Stored under a random name; served only through `bpm:process_file`,
    to those who may read the process or act on one of its tasks."""

    instance = instance_link("files")
    task = kept_link(HumanTask, _("task"), related_name="files")
    field = models.CharField(_("form field"), max_length=100)
    file = models.FileField(_("file"), upload_to="process_files/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = kept_link(User, blank=False)

    class Meta:
        verbose_name = _("process file")
        verbose_name_plural = _("process files")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Notification(TimeStampedModel):
    """An in-app notice to one person, sent by a process's `notify` step (also by e-mail)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    instance = optional_link(
        ProcessInstance, _("process"), on_delete=models.CASCADE, related_name="notifications"
    )
    element_id = models.CharField(_("BPMN element"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    emailed = models.BooleanField(_("e-mailed"), default=False)
    read_at = optional_moment(_("read"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title
