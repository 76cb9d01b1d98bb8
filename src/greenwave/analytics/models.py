"""What analytics stores: the cost price of products (for the profit per deal) and saved
segments (a named list of clients with the rule that chose them, for mailings and lists).

Every figure itself is computed from deals, lines and leads when asked; nothing is cached.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from greenwave.core.models import TimeStampedModel
from greenwave.core.money import money_amount_field


class ProductCost(TimeStampedModel):
    """The cost price of one unit of a product (seed 003: «прибыль с каждой сделки»).

    `crm.Product` has no cost; analytics keeps it beside the product, in the main currency.
    """

    EVENT_CASE_TYPE = "product_cost"

    product = models.OneToOneField(
        "crm.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="cost"
    )
    cost = money_amount_field(_("cost price"))

    class Meta:
        verbose_name = _("product cost price")
        verbose_name_plural = _("product cost prices")
        constraints = [
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="analytics_cost_positive")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.cost}"


class SegmentKind(models.TextChoices):
    ABC = "abc", _("ABC by revenue")
    XYZ = "xyz", _("XYZ by regularity")
    RFM = "rfm", _("RFM scores")


class SavedSegment(TimeStampedModel):
    """A named list of clients, frozen when saved, with the rule that chose them."""

    EVENT_CASE_TYPE = "segment"

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=SegmentKind.choices)
    # {"classes": ["A"], "months": 12, ...}: enough to recompute the list later.
    rule = models.JSONField(_("rule"), default=dict)
    company_ids = models.JSONField(_("clients"), default=list)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("saved segment")
        verbose_name_plural = _("saved segments")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["team", "responsible"], name="analytics_segment_owner")]

    def __str__(self) -> str:
        return self.name

    @property
    def size(self) -> int:
        return len(self.company_ids)
