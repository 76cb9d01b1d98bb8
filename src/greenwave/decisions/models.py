"""Decision definitions (versioned DMN models) and the optional audit log of evaluations."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greenwave.accounts.models import User
from greenwave.core.model_fields import choice_field, kept_link, optional_moment
from greenwave.core.models import TimeStampedModel, VersionedDefinition


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DEPLOYED = "deployed", _("Deployed")


class DecisionDefinition(VersionedDefinition):
    """One version of a DMN model (see `VersionedDefinition`): evaluations are logged against
    the version that answered, so they stay explainable."""

    EVENT_CASE_TYPE = "decision"

    key = models.CharField(_("key"), max_length=100)
    name = models.CharField(_("name"), max_length=255)
    version = models.PositiveIntegerField(_("version"))
    # The uploaded bytes are the source of truth (DESIGN.md: never regenerate the XML).
    xml = models.BinaryField(_("DMN XML"))
    status = choice_field(_("status"), DecisionStatus, max_length=10, default=DecisionStatus.DRAFT)
    is_latest = models.BooleanField(_("latest version"), default=True)
    decision_name = models.CharField(
        _("decision evaluated"),
        max_length=255,
        help_text=_("The decision at the top of the requirement graph."),
    )
    # Input data of the model (name, type, allowed values), for the test form.
    inputs = models.JSONField(_("input data"), default=list, blank=True)
    deployed_at = optional_moment(_("deployed at"))
    created_by = kept_link(User, _("created by"))

    class Meta(VersionedDefinition.Meta):
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="decisions_key_version_unique"),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(is_latest=True),
                name="decisions_one_latest_per_key",
            ),
        ]


class DecisionEvaluation(TimeStampedModel):
    """One logged evaluation: which version answered what, for whom (audit)."""

    definition = models.ForeignKey(
        DecisionDefinition,
        verbose_name=_("decision"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    decision_name = models.CharField(_("decision evaluated"), max_length=255)
    input = models.JSONField(_("input"), default=dict)
    output = models.JSONField(pgettext_lazy("decision", "output"), null=True, blank=True)
    matched_rules = models.JSONField(_("matched rules"), default=list)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    actor = kept_link(User, _("actor"))

    class Meta:
        verbose_name = _("decision evaluation")
        verbose_name_plural = _("decision evaluations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["definition", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.decision_name} @ {self.created_at:%Y-%m-%d %H:%M}"
