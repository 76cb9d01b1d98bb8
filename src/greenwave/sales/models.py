"""Pipelines with gated stages, leads, deals, their items, documents and approvals.

A stage's *output* is a checklist of verifiable facts (DESIGN.md §2, seed 001): required deal
fields, attached document kinds, completed activity types (read from the event log) and
approvals. A deal moves forward only when the output of the stage it leaves is met.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import OwnedRecord, RoleCode, User, owner_index
from greenwave.core.model_fields import (
    choice_field,
    kept_link,
    optional_link,
    optional_moment,
    percent_field,
    quantity_field,
)
from greenwave.core.models import TimeStampedModel, newest_first_index
from greenwave.core.money import currency_field, money_amount_field
from greenwave.core.text import LONG_TEXT_MAX_LENGTH, validate_visible
from greenwave.crm.models import Company, Contact, PriceList

from .stage_texts import stage_text


class BilingualName(models.Model):
    """Configured names are data typed by an admin: kept in Russian and in English."""

    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return bilingual_label(self.name, self.name_en)


def bilingual_label(name: str, name_en: str) -> str:
    """The name in the active language: English when it is active and the name has one."""
    if name_en and (get_language() or "ru").startswith("en"):
        return name_en
    return name


class Pipeline(BilingualName, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default pipeline"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["order", "pk"]


class Stage(BilingualName, TimeStampedModel):
    """One stage: what it takes in, what it must hand on, who does it, how long, how likely."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    code = models.SlugField(_("code"), max_length=40)
    order = models.PositiveIntegerField(_("order"))
    input_description = models.TextField(_("input"), blank=True)
    output_description = models.TextField(_("output"), blank=True)
    # [{"kind": "field", "field": "amount"}, {"kind": "document", "document": "cp"},
    #  {"kind": "activity", "activity": "meeting_held"}, {"kind": "approval", "approval": "cp"}]
    output_checklist = models.JSONField(_("output checklist"), default=list, blank=True)
    responsible_role = choice_field(_("responsible role"), RoleCode, max_length=32, blank=True)
    # Seed 001's stage table: «Ответственный» and «Участники» — the roles (RoleCode values, in
    # RoleCode's order) that take part in the stage besides the responsible one.
    participants = models.JSONField(_("participants"), default=list, blank=True)
    expected_days = models.PositiveIntegerField(_("expected duration, days"), default=7)
    probability = models.PositiveSmallIntegerField(
        _("probability, %"), default=10, validators=[MaxValueValidator(100)]
    )
    # The goal of seeds 000/001 for the stage-to-stage conversion: the share of the deals that
    # leave the stage which should move on (or be won); the funnel marks a stage below it.
    target_conversion = models.PositiveSmallIntegerField(
        _("target conversion, %"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    key_success_factor = models.TextField(_("key success factor"), blank=True)
    # The stage table of seed 001 («Задачи», «Действия»): what the manager solves at the stage
    # and what they do for it, shown on the deal's card next to the input and the output.
    tasks = models.TextField(_("tasks"), blank=True)
    actions = models.TextField(_("actions"), blank=True)
    # The key of the process (bpm) a deal needs to pass this stage's gate, e.g. the contract
    # approval: started when a deal enters the stage; its approved outcome meets the approvals.
    opening_process = models.CharField(_("process started on entry"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "code"], name="stage_code_unique"),
            models.UniqueConstraint(fields=["pipeline", "order"], name="stage_order_unique"),
            models.CheckConstraint(
                condition=models.Q(target_conversion__isnull=True)
                | models.Q(target_conversion__gte=0, target_conversion__lte=100),
                name="stage_target_conversion_percent",
            ),
        ]

    @property
    def participant_labels(self) -> list[str]:
        """The participating roles by name, in the reader's language."""
        return [str(RoleCode(code).label) for code in self.participants if code in RoleCode.values]

    @property
    def input_label(self) -> str:
        """The input in the reader's language when it is the built-in text, else as typed."""
        return stage_text(self.code, self.input_description)

    @property
    def output_label(self) -> str:
        """The output in the reader's language when it is the built-in text, else as typed."""
        return stage_text(self.code, self.output_description)

    @property
    def tasks_label(self) -> str:
        return stage_text(self.code, self.tasks)

    @property
    def actions_label(self) -> str:
        return stage_text(self.code, self.actions)

    @property
    def key_success_factor_label(self) -> str:
        return stage_text(self.code, self.key_success_factor)


class LossReason(BilingualName):
    """The closed list of reasons a deal of a pipeline may be lost for (no «думает»)."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="loss_reasons")
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("loss reason")
        verbose_name_plural = _("loss reasons")
        ordering = ["pipeline", "order", "pk"]


class LeadSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    WEBSITE = "website", _("Website")
    CALL = "call", _("Incoming call")
    EMAIL = "email", _("E-mail")
    SOCIAL = "social", _("Social networks")
    ADVERTISING = "advertising", _("Advertising")
    EXHIBITION = "exhibition", _("Exhibition")
    REFERRAL = "referral", _("Referral")
    COLD = "cold", _("Cold outreach")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    MQL = "mql", _("Marketing qualified (MQL)")
    SQL = "sql", _("Sales qualified (SQL)")
    CONVERTED = "converted", _("Converted to a deal")
    DISQUALIFIED = "disqualified", _("Disqualified")


class DisqualificationReason(models.TextChoices):
    NOT_TARGET = "not_target", _("Not our target client")
    NO_NEED = "no_need", _("No need")
    NO_BUDGET = "no_budget", _("No budget")
    NO_CONTACT = "no_contact", _("Cannot reach")
    DUPLICATE = "duplicate", _("Duplicate")
    COMPETITOR = "competitor", _("Chose a competitor")
    SPAM = "spam", _("Spam")
    WHOLESALE = "wholesale", _("Passed to a wholesaler")
    # The refusals of seed 001's web-lead processing that the list lacked; «other» only with
    # the reason written in the comment (lead_disqualify), so every refusal stays motivated.
    PRICE = "price", _("Price does not suit")
    IMPOSSIBLE = "impossible", _("The deal is physically impossible")
    OTHER = "other", _("Other (the reason in the comment)")


class LeadCategory(models.TextChoices):
    """Who the lead's company is to us (seed 001: the manager classifies leads by category)."""

    END_USER = "end_user", _("End user")
    DEALER = "dealer", _("Dealer or reseller")
    WHOLESALE = "wholesale", _("Wholesale buyer")
    INTEGRATOR = "integrator", _("Integrator or contractor")
    PUBLIC = "public", _("State or municipal buyer")
    OTHER = "other", _("Other")


class LeadRating(models.TextChoices):
    """How promising a lead is (seed 001: «перспективность»)."""

    HOT = "hot", _("Hot")
    WARM = "warm", _("Warm")
    COLD = "cold", _("Cold")


class Lead(OwnedRecord):
    EVENT_CASE_TYPE = "lead"

    title = models.CharField(_("title"), max_length=200)
    status = choice_field(_("status"), LeadStatus, max_length=16, default=LeadStatus.NEW)
    source = choice_field(_("source"), LeadSource, max_length=16, default=LeadSource.OTHER)
    utm_source = models.CharField("utm_source", max_length=100, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=100, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=100, blank=True)
    utm_term = models.CharField("utm_term", max_length=100, blank=True)
    utm_content = models.CharField("utm_content", max_length=100, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    company_name = models.CharField(_("company"), max_length=255, blank=True)
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    need = models.TextField(_("need"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    # The classification of seed 001's «утепление и развитие лидов»: category, prospect rating
    # and probability of closing (None: not estimated yet), and the plan of the next steps.
    category = choice_field(_("category"), LeadCategory, max_length=16, blank=True)
    rating = choice_field(_("prospect rating"), LeadRating, max_length=8, blank=True)
    close_probability = models.PositiveSmallIntegerField(
        _("probability of closing, %"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    next_steps = models.TextField(
        _("plan of next steps"), blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )
    disqualification_reason = choice_field(
        _("disqualification reason"), DisqualificationReason, max_length=16, blank=True
    )
    disqualification_comment = models.TextField(_("comment"), blank=True)
    qualified_at = optional_moment(_("qualified"))
    closed_at = optional_moment(_("closed"))
    company = kept_link(Company, _("client"), related_name="leads")
    contact = kept_link(Contact, _("contact"), related_name="leads")
    deal = models.OneToOneField(
        "Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="origin_lead",
    )
    client_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="lead_status_idx"),
            owner_index("lead_owner_idx"),
            newest_first_index("lead_recent_idx"),
            # The month's decided leads (planning: positive decisions, motivated refusals).
            models.Index(fields=["status", "closed_at"], name="lead_closed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(close_probability__lte=100), name="lead_close_probability_max"
            )
        ]

    def __str__(self) -> str:
        return self.title


class DealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Deal(OwnedRecord):
    EVENT_CASE_TYPE = "deal"

    title = models.CharField(_("title"), max_length=200, validators=[validate_visible])
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals"
    )
    status = choice_field(_("status"), DealStatus, max_length=8, default=DealStatus.OPEN)
    company = optional_link(Company, _("client"), on_delete=models.PROTECT, related_name="deals")
    contacts = models.ManyToManyField(
        "crm.Contact", verbose_name=_("contacts"), blank=True, related_name="deals"
    )
    price_list = optional_link(
        PriceList, _("price list"), on_delete=models.PROTECT, related_name="deals"
    )
    amount = money_amount_field(_("amount"))
    currency = currency_field()
    probability = models.PositiveSmallIntegerField(
        _("probability, %"), default=10, validators=[MaxValueValidator(100)]
    )
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    # The hunter who brought the client keeps a share of later sales (seed 004).
    hunter = kept_link(User, _("hunter"), related_name="hunted_deals")
    hunter_share_percent = percent_field(
        _("hunter share, %"),
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    stage_entered_at = models.DateTimeField(_("in stage since"))
    lost_reason = optional_link(
        LossReason, _("loss reason"), on_delete=models.PROTECT, related_name="deals"
    )
    loss_comment = models.TextField(_("loss comment"), blank=True)
    closed_at = optional_moment(_("closed"))
    # Optimistic lock: a move carries the version it saw; a stale one is a conflict.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["pipeline", "status", "stage"], name="deal_board_idx"),
            owner_index("deal_owner_idx"),
            models.Index(fields=["status", "closed_at"], name="deal_closed_idx"),
            newest_first_index("deal_recent_idx"),
            # Open deals expected in a month (planning: late projects, the pipeline forecast).
            models.Index(fields=["status", "expected_close_date"], name="deal_expected_idx"),
            # The list's other sorts (a btree serves both directions).
            models.Index(fields=["amount", "id"], name="deal_amount_idx"),
            models.Index(fields=["expected_close_date", "id"], name="deal_close_date_idx"),
            models.Index(fields=["title", "id"], name="deal_title_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_stuck(self) -> bool:
        """Open and in its stage longer than the stage's expected duration (the funnel's
        "stuck", the home cards' and the morning plan's: `stuck_in_stage`)."""
        return self.status == DealStatus.OPEN and self.stage_entered_at < timezone.now() - (
            timedelta(days=self.stage.expected_days)
        )


def stuck_in_stage(now: datetime, stages: Iterable[tuple[int, int]] | None = None) -> models.Q:
    """Deals in their stage since before `now` minus the stage's expected duration; `stages`
    as (id, expected days), all stages by default (one query for them)."""
    if stages is None:
        stages = Stage.objects.values_list("pk", "expected_days")
    late = models.Q(pk__in=[])
    for stage_id, days in stages:
        late |= models.Q(stage_id=stage_id, stage_entered_at__lt=now - timedelta(days=days))
    return late


class DealItem(models.Model):
    """A product line of a deal; the deal's amount is the sum of its lines when it has any."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        "crm.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = quantity_field(_("quantity"), validators=[MinValueValidator(Decimal(0))])
    price = money_amount_field(_("price"))

    class Meta:
        verbose_name = _("deal line")
        verbose_name_plural = _("deal lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="deal_item_quantity"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="deal_item_price"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"

    @property
    def total(self) -> Decimal:
        return line_total(self.quantity, self.price)


def line_total(quantity: Decimal, price: Decimal) -> Decimal:
    """A deal line's total, rounded to the kopeck."""
    return (quantity * price).quantize(Decimal("0.01"))


class DocumentKind(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("Client questionnaire")
    CP = "cp", _("Commercial proposal")
    CONTRACT = "contract", _("Contract")
    SPECIFICATION = "specification", _("Specification")
    INVOICE = "invoice", _("Invoice")
    PAYMENT = "payment", _("Payment order")
    ACT = "act", _("Delivery act")
    OTHER = "other", _("Other document")


class DealDocument(TimeStampedModel):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="documents")
    kind = choice_field(_("kind"), DocumentKind, max_length=16)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="deal_documents/%Y/%m/", blank=True)
    uploaded_by = kept_link(User, blank=False)

    class Meta:
        verbose_name = _("deal document")
        verbose_name_plural = _("deal documents")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class ApprovalKind(models.TextChoices):
    CP = "cp", _("Commercial proposal approved")
    DISCOUNT = "discount", _("Discount approved")
    CONTRACT = "contract", _("Contract approved")
    PAYMENT = "payment", _("Payment confirmed")


class DealApproval(TimeStampedModel):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="approvals")
    kind = choice_field(_("kind"), ApprovalKind, max_length=16)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("deal approval")
        verbose_name_plural = _("deal approvals")
        constraints = [
            models.UniqueConstraint(fields=["deal", "kind"], name="deal_approval_unique")
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}:{self.kind}"


class SalesSettings(models.Model):
    """Department rules (seed 004), one row: hunter share and when a client is abandoned."""

    hunter_share_percent = percent_field(_("hunter share of later sales, %"), default=Decimal(5))
    hunter_share_months = models.PositiveIntegerField(_("hunter share period, months"), default=12)
    abandoned_days_new = models.PositiveIntegerField(
        _("new client abandoned after, days"), default=14
    )
    abandoned_days_current = models.PositiveIntegerField(
        _("current client abandoned after, days"), default=30
    )

    class Meta:
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")

    def __str__(self) -> str:
        return str(_("Sales settings"))


class ClientHandoff(TimeStampedModel):
    """The mandatory handoff at the first sale (seed 004): hunter → farmer, with the hunter's
    share of later sales of this client for a period."""

    EVENT_CASE_TYPE = "handoff"

    company = models.OneToOneField(
        "crm.Company", verbose_name=_("client"), on_delete=models.CASCADE, related_name="handoff"
    )
    hunter = kept_link(User, _("hunter"), blank=False)
    farmer = kept_link(User, _("farmer"), blank=False)
    deal = kept_link(Deal, _("first sale"), blank=False)
    share_percent = percent_field(_("hunter share, %"))
    share_until = models.DateField(_("hunter share until"))

    class Meta:
        verbose_name = _("client handoff")
        verbose_name_plural = _("client handoffs")

    def __str__(self) -> str:
        return f"{self.company_id}: {self.hunter_id} → {self.farmer_id}"


class CloserHandoff(TimeStampedModel):
    """The hand-over between seed 001's stages «Leads Development» and «Leads Conversion»: the
    hunter passes a deal with a formed need to a closer, who agrees the order, negotiates the
    price and closes it. The hunter stays the deal's hunter (`Deal.hunter`); the closer becomes
    its responsible. One per deal."""

    deal = models.OneToOneField(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="closer_handoff"
    )
    hunter = kept_link(User, _("hunter"), blank=False)
    closer = kept_link(User, _("closer"), blank=False)
    handed_by = kept_link(User, _("handed over by"), blank=False)
    comment = models.TextField(_("comment"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)

    class Meta:
        verbose_name = _("hand-over to a closer")
        verbose_name_plural = _("hand-overs to closers")

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.hunter_id} → {self.closer_id}"
