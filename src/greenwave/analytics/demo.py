"""Demo rows of analytics: cost prices of the demo catalogue (so the profit per deal has
numbers) and one saved segment, the director's A clients. Idempotent and deterministic."""

from __future__ import annotations

import zlib
from decimal import Decimal
from typing import Any

from greenwave.core.errors import DomainError
from greenwave.crm import services as crm_services
from greenwave.crm.models import (
    Company,
    Competitor,
    CompetitorPresence,
    Price,
    PriceListKind,
    Product,
)
from greenwave.sales.models import Deal, DealStatus

from . import services
from .models import ProductCost, SavedSegment
from .segments import SegmentParams


def seed_analytics(context: dict[str, Any]) -> None:
    base = {
        row["product_id"]: row["amount"]
        for row in Price.objects.filter(price_list__kind=PriceListKind.BASE).values(
            "product_id", "amount"
        )
    }
    known = set(ProductCost.objects.values_list("product_id", flat=True))
    for product in Product.objects.exclude(pk__in=known).order_by("pk"):
        price = base.get(product.pk)
        if price is None:
            continue
        # 55–74 % of the base price, fixed per article.
        ratio = Decimal(55 + zlib.crc32(product.sku.encode()) % 20) / 100
        services.product_cost_set(actor=None, product=product, cost=price * ratio)
    _competitors_met()
    _nps_answers()
    director = context.get("users", {}).get("director")
    if director is not None and not SavedSegment.objects.exists():
        try:
            services.segment_save(
                actor=director,
                name="Ключевые клиенты (A)",
                kind="abc",
                classes=["A"],
                params=SegmentParams(),
            )
        except DomainError:  # no sales yet: nothing to save
            return


def _nps_answers() -> None:
    """Clients' NPS answers after the deals won in the last two months, recorded by each
    deal's manager (most clients promote, some are passive, a few detract), once."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import NpsSurvey

    if NpsSurvey.objects.exists():
        return
    since = timezone.now() - timedelta(days=60)
    won = Deal.objects.filter(status=DealStatus.WON, closed_at__gte=since).select_related(
        "responsible"
    )
    for deal in won.order_by("pk")[:80]:
        if deal.responsible is None:
            continue
        roll = zlib.crc32(str(deal.pk).encode()) % 100
        score = 9 + roll % 2 if roll < 60 else (7 + roll % 2 if roll < 85 else roll % 7)
        comment = "" if score >= 9 else "Хотелось бы быстрее получать документы"
        try:
            services.nps_record(
                actor=deal.responsible, deal_id=deal.pk, score=score, comment=comment
            )
        except DomainError:  # a deal its manager may no longer change
            continue


def _competitors_met() -> None:
    """Note each demo competitor at a few clients that lost deals (where the department met
    it), once: the competitor portfolio then has deals to show."""
    losers = list(
        Company.objects.filter(deals__status=DealStatus.LOST).distinct().order_by("pk")[:60]
    )
    if not losers or CompetitorPresence.objects.filter(company__in=losers).exists():
        return
    for index, competitor in enumerate(Competitor.objects.order_by("pk")):
        for company in losers[index::7][:6]:
            crm_services.competitor_link(actor=None, competitor=competitor, company=company)
