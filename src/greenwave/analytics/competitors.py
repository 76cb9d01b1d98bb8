"""The competitor portfolio (seed 003): the competitors of the client base with their price,
assortment, conditions and marketing, and where we met them.

A deal's loss record holds a reason from the pipeline's closed list and a free comment, not a
competitor. So a closed deal "met" a competitor when the competitor is recorded at the deal's
client (`crm.CompetitorPresence`) or when the loss comment names the competitor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records
from greenwave.core.money import CENTS
from greenwave.core.values import EMPTY
from greenwave.crm.models import Competitor, CompetitorPresence
from greenwave.crm.selectors import competitor_list
from greenwave.sales.models import Deal, DealStatus


@dataclass
class CompetitorFigures:
    competitor: Competitor
    clients: int
    won: int = 0
    lost: int = 0
    lost_amount: Decimal = Decimal("0.00")
    last_met: Any = None
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def win_rate(self) -> Decimal | None:
        closed = self.won + self.lost
        return (Decimal(self.won) / closed).quantize(Decimal("0.0001")) if closed else None

    def as_dict(self) -> dict[str, Any]:
        c = self.competitor
        return {
            "id": c.pk,
            "name": c.name,
            "website": c.website,
            "price_level": c.price_level,
            "price_level_label": str(c.get_price_level_display()),
            "assortment": c.assortment,
            "special_conditions": c.special_conditions,
            "marketing_activity": c.marketing_activity,
            "clients": self.clients,
            "deals_won": self.won,
            "deals_lost": self.lost,
            "lost_amount": self.lost_amount,
            "win_rate": self.win_rate,
            "last_met": self.last_met,
            "loss_reasons": [{"reason": k, "deals": v} for k, v in self.reasons.items()],
        }


def competitor_portfolio(*, actor: User) -> list[CompetitorFigures]:
    """Every competitor with its visible clients and the visible closed deals that met it
    (4 queries whatever the number of competitors)."""
    competitors = list(competitor_list(actor=actor).order_by("name"))
    figures = {c.pk: CompetitorFigures(c, c.client_count) for c in competitors}  # type: ignore[attr-defined]
    closed = scope_records(
        Deal.objects.filter(status__in=(DealStatus.WON, DealStatus.LOST)), actor=actor
    )
    presence = CompetitorPresence.objects.values("company_id", "competitor_id")
    at_client: dict[int, set[int]] = {}
    for row in presence:
        at_client.setdefault(row["company_id"], set()).add(row["competitor_id"])
    names = [(c.pk, c.name.casefold()) for c in competitors if c.name.strip()]
    met = closed.filter(
        Q(company_id__in=presence.values("company_id"))
        | Q(status=DealStatus.LOST) & ~Q(loss_comment="")
    ).select_related("lost_reason")
    for deal in met.only(
        "pk",
        "status",
        "amount",
        "closed_at",
        "company_id",
        "loss_comment",
        "lost_reason__name",
        "lost_reason__name_en",
    ):
        ids = set(at_client.get(deal.company_id or 0, set()))
        comment = deal.loss_comment.casefold()
        if comment:
            ids |= {pk for pk, name in names if name in comment}
        for pk in ids:
            item = figures.get(pk)
            if item is None:
                continue
            if deal.status == DealStatus.WON:
                item.won += 1
            else:
                item.lost += 1
                item.lost_amount = (item.lost_amount + deal.amount).quantize(CENTS)
                reason = deal.lost_reason.label if deal.lost_reason else EMPTY
                item.reasons[reason] = item.reasons.get(reason, 0) + 1
            if deal.closed_at and (item.last_met is None or deal.closed_at > item.last_met):
                item.last_met = deal.closed_at
    return [figures[c.pk] for c in competitors]


def lost_to(*, actor: User, competitor: Competitor) -> Any:
    """The visible lost deals that met the competitor (the click-through)."""
    return (
        scope_records(Deal.objects.filter(status=DealStatus.LOST), actor=actor)
        .filter(
            Q(company__competitor_presence__competitor=competitor)
            | Q(loss_comment__icontains=competitor.name)
        )
        .distinct()
    )
