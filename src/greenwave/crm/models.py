"""The client base: companies (legal entities with Russian requisites), their contacts and the
decision makers among those contacts (seed 003 «Информация о клиенте»)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from greenwave.core.models import TimeStampedModel


class CompanySize(models.TextChoices):
    MICRO = "micro", _("Micro (up to 15 people)")
    SMALL = "small", _("Small (16–100 people)")
    MEDIUM = "medium", _("Medium (101–250 people)")
    LARGE = "large", _("Large (over 250 people)")


class Segment(models.TextChoices):
    NEW = "new", _("New client")
    CURRENT = "current", _("Current client")


class Source(models.TextChoices):
    WEBSITE = "website", _("Website")
    COLD_CALL = "cold_call", _("Cold call")
    REFERRAL = "referral", _("Referral")
    EXHIBITION = "exhibition", _("Exhibition")
    ADVERTISING = "advertising", _("Advertising")
    SOCIAL = "social", _("Social networks")
    PARTNER = "partner", _("Partner")
    TENDER = "tender", _("Tender")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Attitude(models.TextChoices):
    """How a decision maker relates to us (seed 003: «отношение к нам»)."""

    SUPPORTER = "supporter", _("Supporter")
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")
    OPPONENT = "opponent", _("Opponent")


class Company(TimeStampedModel):
    """A client or prospect: a legal entity or an individual entrepreneur."""

    EVENT_CASE_TYPE = "company"

    name = models.CharField(_("name"), max_length=255)
    inn = models.CharField(_("INN"), max_length=12, blank=True, db_index=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    ogrn = models.CharField(_("OGRN/OGRNIP"), max_length=15, blank=True)
    legal_address = models.CharField(_("legal address"), max_length=500, blank=True)
    actual_address = models.CharField(_("actual address"), max_length=500, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True, db_index=True)
    industry = models.CharField(_("industry"), max_length=120, blank=True, db_index=True)
    size = models.CharField(_("size"), max_length=10, choices=CompanySize.choices, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    segment = models.CharField(
        _("segment"), max_length=10, choices=Segment.choices, default=Segment.NEW
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    website = models.CharField(_("website"), max_length=255, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        related_name="crm_companies",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="crm_companies",
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # Lower-cased name, requisites, tags: SQLite's LIKE folds only ASCII, so «ромашк» must
    # meet an already lower-cased «ооо ромашка» to be found (services keep it in sync).
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["team", "responsible"], name="crm_company_owner_idx"),
            models.Index(fields=["segment", "name"], name="crm_company_segment_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(TimeStampedModel):
    """A person at a client. Phones are E.164 strings, e-mails lower-cased."""

    EVENT_CASE_TYPE = "contact"

    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    full_name = models.CharField(_("full name"), max_length=255)
    position = models.CharField(_("position"), max_length=255, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    emails = models.JSONField(_("e-mails"), default=list, blank=True)
    messengers = models.JSONField(_("messengers"), default=dict, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    mailing_consent = models.BooleanField(_("consent to mailings"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        related_name="crm_contacts",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="crm_contacts",
    )
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["full_name", "pk"]
        indexes = [models.Index(fields=["team", "responsible"], name="crm_contact_owner_idx")]

    def __str__(self) -> str:
        return self.full_name


class DecisionMaker(TimeStampedModel):
    """The role a contact plays in a company's decision (seed 003, «ЛПР»)."""

    EVENT_CASE_TYPE = "decision_maker"

    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="decision_makers",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="decision_roles",
    )
    role = models.CharField(_("role in the decision"), max_length=255, blank=True)
    personal_benefits = models.TextField(_("personal benefits"), blank=True)
    influence_level = models.PositiveSmallIntegerField(_("influence level (1–5)"), default=3)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    character = models.TextField(_("character"), blank=True)
    hobbies = models.TextField(_("hobbies"), blank=True)
    attitude = models.CharField(
        _("attitude to us"), max_length=10, choices=Attitude.choices, default=Attitude.NEUTRAL
    )

    class Meta:
        verbose_name = _("decision maker")
        verbose_name_plural = _("decision makers")
        ordering = ["-influence_level", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["company", "contact"], name="crm_dm_unique"),
            models.CheckConstraint(
                condition=models.Q(influence_level__gte=1, influence_level__lte=5),
                name="crm_dm_influence_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.company}"
