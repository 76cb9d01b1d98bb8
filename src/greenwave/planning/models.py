"""«Мои дела» (seed 003): a manager's plan of the day — companies, the goal with each, the
priority — closed at the end of the day into plan vs fact. The fact is computed from the
activities actually completed that day (the activities app), never typed in."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greenwave.accounts.models import Team, User
from greenwave.activities.models import Activity
from greenwave.core.model_fields import (
    choice_field,
    kept_link,
    optional_link,
    optional_moment,
    percent_field,
)
from greenwave.core.models import EventLogCursor, TimeStampedModel
from greenwave.crm.models import Company
from greenwave.sales.models import BilingualName, Deal, bilingual_label


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
    team = kept_link(Team, _("team"), related_name="day_plans")
    date = models.DateField(_("date"))
    status = choice_field(_("status"), DayStatus, max_length=8, default=DayStatus.OPEN)
    closed_at = optional_moment(_("closed"))
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
        return f"{self.user} {date_format(self.date, 'SHORT_DATE_FORMAT')}"

    @property
    def is_open(self) -> bool:
        return self.status == DayStatus.OPEN

    @property
    def done_percent(self) -> int:
        return round(100 * self.done_count / self.planned_count) if self.planned_count else 0


class DayPlanItem(TimeStampedModel):
    plan = models.ForeignKey(DayPlan, on_delete=models.CASCADE, related_name="items")
    company = optional_link(
        Company, _("client"), on_delete=models.CASCADE, related_name="day_plan_items"
    )
    goal = models.CharField(_("goal"), max_length=500)
    priority = choice_field(_("priority"), ItemPriority, max_length=8, default=ItemPriority.NORMAL)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = choice_field(_("source"), ItemSource, max_length=20, default=ItemSource.MANUAL)
    activity = kept_link(Activity, _("activity"), related_name="day_plan_items")
    deal = kept_link(Deal, _("deal"), related_name="day_plan_items")
    result = choice_field(_("result"), ItemResult, max_length=8, default="", blank=True)
    # What was actually done, computed at close: [{"id", "kind", "subject", "result"}, …]
    fact = models.JSONField(_("fact"), default=list, blank=True)
    miss_comment = models.TextField(_("why it was missed"), blank=True)

    class Meta:
        verbose_name = _("day plan item")
        verbose_name_plural = _("day plan items")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.goal


# --- Monthly plans and KPIs («Финансовый план», «Финансовые показатели», seed 003) ---------


class KpiUnit(models.TextChoices):
    MONEY = "money", _("Roubles")
    COUNT = "count", _("Pieces")
    DAYS = "days", _("Days")
    PERCENT = "percent", _("Percent")


class KpiDirection(models.TextChoices):
    UP = "up", _("More is better")
    DOWN = "down", _("Less is better")


class KpiSource(models.TextChoices):
    BUILTIN = "builtin", _("Built in")
    RECORD = "record", _("Records")
    EVENT = "event", _("Event log")


class KpiAggregate(models.TextChoices):
    COUNT = "count", _("Count")
    SUM = "sum", _("Sum")
    AVG = "avg", _("Average")


class Kpi(BilingualName, TimeStampedModel):
    """One indicator of the monthly plan. Built-in ones are computed by code named by `key`;
    the ones an administrator adds are a safe building block: count/sum/avg of a whitelisted
    record field or of an event activity, with filters from a whitelist (no code, no SQL)."""

    EVENT_CASE_TYPE = "kpi"

    key = models.SlugField(_("key"), max_length=40, unique=True)
    unit = choice_field(_("unit"), KpiUnit, max_length=8)
    direction = choice_field(_("direction"), KpiDirection, max_length=4, default=KpiDirection.UP)
    definition = models.TextField(pgettext_lazy("KPI", "definition"), blank=True)
    definition_en = models.TextField(_("definition in English"), blank=True)
    source = choice_field(_("computed from"), KpiSource, max_length=8, default=KpiSource.RECORD)
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    # Building blocks of an administrator's KPI (validated against planning.kpis whitelists).
    aggregate = choice_field(_("aggregate"), KpiAggregate, max_length=8, blank=True)
    record = models.CharField(_("record"), max_length=20, blank=True)
    field = models.CharField(_("field"), max_length=40, blank=True)
    date_field = models.CharField(_("date field"), max_length=40, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    event_activity = models.CharField(_("event activity"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.name  # as typed, whatever the reader's language (unlike `label`)

    @property
    def definition_text(self) -> str:
        return bilingual_label(self.definition, self.definition_en)


class RevenueBasis(models.TextChoices):
    PAID = "paid", _("Paid: payments received in the month")
    WON = "won", _("Won: amount of deals won in the month")


class PlanningSettings(models.Model):
    """Company rules of the monthly plan (one row)."""

    # Its name in the event log: the event log, the mining object types and the history label
    # it by this model's verbose name.
    EVENT_CASE_TYPE = "planning_settings"

    revenue_basis = choice_field(
        _("revenue is"), RevenueBasis, max_length=8, default=RevenueBasis.PAID
    )

    class Meta:
        verbose_name = _("planning settings")
        verbose_name_plural = _("planning settings")

    def __str__(self) -> str:
        return str(_("Planning settings"))


class MonthPlan(TimeStampedModel):
    """The plan of one month for one person or one team (exactly one of them)."""

    EVENT_CASE_TYPE = "month_plan"

    period = models.DateField(_("month"))  # the first day of the month
    user = optional_link(User, _("manager"), on_delete=models.CASCADE, related_name="month_plans")
    team = optional_link(Team, _("team"), on_delete=models.CASCADE, related_name="month_plans")

    class Meta:
        verbose_name = _("month plan")
        verbose_name_plural = _("month plans")
        ordering = ["-period", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["period", "user"], name="monthplan_user_unique"),
            models.UniqueConstraint(fields=["period", "team"], name="monthplan_team_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, team__isnull=True)
                    | models.Q(user__isnull=True, team__isnull=False)
                ),
                name="monthplan_user_xor_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.user or self.team}"


class PlanTarget(models.Model):
    plan = models.ForeignKey(MonthPlan, on_delete=models.CASCADE, related_name="targets")
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets")
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")
        constraints = [
            models.UniqueConstraint(fields=["plan", "kpi"], name="plantarget_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id}={self.target}"


class CommissionScheme(TimeStampedModel):
    """Motivation as data (seeds 002, 004): a percent of paid revenue (per product group,
    else the default), a multiplier by plan achievement (steps: from % of the revenue plan →
    multiplier), and the hunter's share of a handed-off client's later sales. The active
    scheme applies to everyone."""

    EVENT_CASE_TYPE = "commission_scheme"

    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    default_percent = percent_field(_("percent of paid revenue"), default=0)
    # {"<product group id>": "percent"}
    group_percents = models.JSONField(_("percent by product group"), default=dict, blank=True)
    # [["<from % of plan>", "<multiplier>"], …] ascending
    steps = models.JSONField(_("steps by plan achievement"), default=list, blank=True)

    class Meta:
        verbose_name = _("commission scheme")
        verbose_name_plural = _("commission schemes")
        ordering = ["-is_active", "name"]

    def __str__(self) -> str:
        return self.name


class AssistantSplit(TimeStampedModel):
    """Seed 002: «специалист ищет новых клиентов и получает от этого определенный процент.
    На этапе, когда клиент найден и заключен договор, рутинная работа произведена
    ассистентом. В этом случае часть процента от этого клиента уходит на ассистента.»

    While the split is valid, `share_percent` % of every commission line the manager earns
    (own sales and hunter's shares, after the manager's plan multiplier) moves to the
    assistant: the manager's statement shows it as a deduction, the assistant's as a line of
    the same payment."""

    EVENT_CASE_TYPE = "assistant_split"

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.CASCADE,
        related_name="assistant_splits",
    )
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assistant"),
        on_delete=models.CASCADE,
        related_name="assisted_splits",
    )
    share_percent = percent_field(_("assistant's part of the commission, %"))
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("assistant split")
        verbose_name_plural = _("assistant splits")
        ordering = ["manager_id", "-valid_from", "pk"]
        indexes = [
            models.Index(fields=["manager", "valid_from"], name="asplit_manager_idx"),
            models.Index(fields=["assistant", "valid_from"], name="asplit_assistant_idx"),
        ]

    def __str__(self) -> str:
        share = floatformat(self.share_percent, "-2")  # «12,5 %» in Russian, not «12.50 %»
        return f"{self.manager} → {self.assistant} {share} %"

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class KpiDayRollup(models.Model):
    """The parts of the day-additive KPIs kept per local day × measure × person × team
    (`kpi_rollups`): what the grid sums instead of scanning the month's records."""

    day = models.DateField()
    measure = models.CharField(max_length=16)
    user_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    num = models.DecimalField(max_digits=26, decimal_places=6)
    den = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "measure"], name="kpiroll_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.measure} {self.user_id}/{self.team_id}: {self.num}/{self.den}"


class KpiRollupRecord(models.Model):
    """The day a record last added to the rollups (a deal's win, a lead's decision, an
    activity's completion): when the record changes, that day is recomputed too."""

    kind = models.CharField(max_length=8)
    record_id = models.BigIntegerField()
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_id"], name="kpiroll_record_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}: {self.day}"


class KpiRollupCursor(EventLogCursor):
    """How far the KPI rollups have read the event log."""

    name = models.CharField(max_length=32, unique=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_event_id}"
