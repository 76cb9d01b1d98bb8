"""«Мои дела» (seed 003): a manager's plan of the day — companies, the goal with each, the
priority — closed at the end of the day into plan vs fact. The fact is computed from the
activities actually completed that day (the activities app), never typed in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from greenwave.core.models import TimeStampedModel


class DayStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    CLOSED = "closed", _("Closed")


class ItemSource(models.TextChoices):
    MANUAL = "manual", _("Added by hand")
    OVERDUE_TASK = "overdue_task", _("Overdue task")
    PLANNED_CALL = "planned_call", _("Call planned for the day")
    STUCK_DEAL = "stuck_deal", _("Deal stuck at a stage")
    ABANDONED_CLIENT = "abandoned_client", _("Abandoned client")


class ItemResult(models.TextChoices):
    PENDING = "", _("Not closed yet")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


class ItemPriority(models.TextChoices):
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class DayPlan(TimeStampedModel):
    EVENT_CASE_TYPE = "day_plan"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.CASCADE,
        related_name="day_plans",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="day_plans",
    )
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=8, choices=DayStatus.choices, default=DayStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    comment = models.TextField(_("comment on the day"), blank=True)
    planned_count = models.PositiveIntegerField(_("planned"), default=0)
    done_count = models.PositiveIntegerField(_("done"), default=0)
    # Activities done that day for clients that were not in the plan.
    unplanned_count = models.PositiveIntegerField(_("done beyond the plan"), default=0)

    class Meta:
        verbose_name = _("day plan")
        verbose_name_plural = _("day plans")
        ordering = ["-date", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="dayplan_user_date_unique")
        ]
        indexes = [models.Index(fields=["team", "date"], name="dayplan_team_date_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.date:%d.%m.%Y}"

    @property
    def is_open(self) -> bool:
        return self.status == DayStatus.OPEN

    @property
    def done_percent(self) -> int:
        return round(100 * self.done_count / self.planned_count) if self.planned_count else 0


class DayPlanItem(TimeStampedModel):
    plan = models.ForeignKey(DayPlan, on_delete=models.CASCADE, related_name="items")
    company = models.ForeignKey(
        "crm.Company",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="day_plan_items",
    )
    goal = models.CharField(_("goal"), max_length=500)
    priority = models.CharField(
        _("priority"), max_length=8, choices=ItemPriority.choices, default=ItemPriority.NORMAL
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = models.CharField(
        _("source"), max_length=20, choices=ItemSource.choices, default=ItemSource.MANUAL
    )
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="day_plan_items",
    )
    deal = models.ForeignKey(
        "sales.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="day_plan_items",
    )
    result = models.CharField(
        _("result"), max_length=8, choices=ItemResult.choices, default="", blank=True
    )
    # What was actually done, computed at close: [{"id", "kind", "subject", "result"}, …]
    fact = models.JSONField(_("fact"), default=list, blank=True)
    miss_comment = models.TextField(_("why it was missed"), blank=True)

    class Meta:
        verbose_name = _("day plan item")
        verbose_name_plural = _("day plan items")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.goal
