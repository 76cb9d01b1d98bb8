"""Readers of the outreach app: segments and campaigns scoped like deals, a segment's live
recipients among the contacts the actor may read, and a campaign's statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records
from greenwave.analytics import selectors as analytics_selectors
from greenwave.analytics.models import SavedSegment
from greenwave.core.choice_filters import choice_filter
from greenwave.core.listing import ListQuery, ListSpec, SortSpec, apply_list_query
from greenwave.core.selectors import row_get
from greenwave.core.trees import subtree_ids
from greenwave.crm.models import Contact, ProductGroup
from greenwave.crm.selectors import contact_list

from .models import Campaign, CampaignKind, CampaignStatus, Delivery, DeliveryStatus, Segment
from .segments import SegmentFilters, filters_condition, parse_filters

SEGMENT_LIST_SPEC = ListSpec(
    search_fields=("name", "description"),
    sorts=(
        SortSpec("name", gettext_lazy("Name"), ("name", "pk")),
        SortSpec("created", gettext_lazy("Created"), ("created_at", "pk")),
    ),
    default_sort="name",
)

CAMPAIGN_LIST_SPEC = ListSpec(
    search_fields=("name", "subject"),
    sorts=(
        SortSpec("created", gettext_lazy("Created"), ("created_at", "pk")),
        SortSpec("name", gettext_lazy("Name"), ("name", "pk")),
    ),
    default_sort="-created",
    filters=(
        choice_filter("status", gettext_lazy("Status"), CampaignStatus),
        choice_filter("kind", gettext_lazy("Kind"), CampaignKind),
    ),
)


def segment_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[Segment]:
    qs = scope_records(Segment.objects.all(), actor=actor)
    qs = apply_list_query(qs, SEGMENT_LIST_SPEC, query)
    return qs.select_related("responsible")


def segment_get(*, actor: User, pk: int) -> Segment:
    return row_get(segment_list(actor=actor), pk, _("Segment not found."))


def campaign_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[Campaign]:
    qs = scope_records(Campaign.objects.all(), actor=actor)
    qs = apply_list_query(qs, CAMPAIGN_LIST_SPEC, query)
    return qs.select_related("segment", "responsible")


def campaign_get(*, actor: User, pk: int) -> Campaign:
    return row_get(
        campaign_list(actor=actor).select_related("trigger_stage"), pk, _("Campaign not found.")
    )


def _group_tree(ids: list[int]) -> set[int]:
    """The product groups and every subgroup below them (one query over the tree)."""
    return subtree_ids(ProductGroup.objects.values_list("pk", "parent_id"), ids)


def analytics_segment_choices(*, actor: User) -> QuerySet[SavedSegment]:
    """The saved analytics segments (ABC/XYZ/RFM) the actor reads, for the segment builder."""
    return analytics_selectors.segment_list(actor=actor)


def analytics_companies(*, actor: User, ids: list[int]) -> set[int]:
    """The clients frozen in those saved analytics segments the actor may read."""
    companies: set[int] = set()
    for members in (
        analytics_selectors.segment_list(actor=actor)
        .filter(pk__in=ids)
        .values_list("company_ids", flat=True)
    ):
        companies.update(int(pk) for pk in members or [] if isinstance(pk, int))
    return companies


def segment_contacts(
    *, actor: User, filters: SegmentFilters | dict[str, object], today: date | None = None
) -> QuerySet[Contact]:
    """The contacts the filters match among those the actor may read (the live segment)."""
    if not isinstance(filters, SegmentFilters):
        filters = parse_filters(filters)
    groups = _group_tree(filters.product_group_ids) if filters.product_group_ids else None
    companies = (
        analytics_companies(actor=actor, ids=filters.analytics_segment_ids)
        if filters.analytics_segment_ids
        else None
    )
    condition = filters_condition(
        filters,
        today=today or timezone.localdate(),
        group_ids=groups,
        analytics_company_ids=companies,
    )
    return contact_list(actor=actor).filter(condition).order_by("full_name", "pk")


def mailable(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    """Of these contacts, those a mailing may reach: consent (152-ФЗ), an e-mail, and no
    unsubscription."""
    return qs.filter(
        mailing_consent=True, outreach_unsubscription__isnull=True, emails__0__isnull=False
    )


@dataclass(frozen=True)
class SegmentPreview:
    count: int
    mailable: int
    contacts: list[Contact]


def segment_preview(
    *, actor: User, filters: SegmentFilters | dict[str, object], limit: int = 20
) -> SegmentPreview:
    qs = segment_contacts(actor=actor, filters=filters)
    return SegmentPreview(
        count=qs.count(), mailable=mailable(qs).count(), contacts=list(qs[:limit])
    )


@dataclass(frozen=True)
class CampaignStats:
    recipients: int
    pending: int
    sent: int
    failed: int
    interrupted: int
    skipped: int
    bounced: int
    unsubscribed: int
    opened: int
    clicked: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def campaign_stats(*, campaign: Campaign) -> CampaignStats:
    """Counts of the campaign's deliveries (one aggregate query). `sent` counts every
    message the SMTP server accepted, bounced ones included."""
    s = DeliveryStatus
    row = Delivery.objects.filter(campaign=campaign).aggregate(
        recipients=Count("pk"),
        pending=Count("pk", filter=Q(status__in=[s.PENDING, s.SENDING])),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        failed=Count("pk", filter=Q(status=s.FAILED)),
        interrupted=Count("pk", filter=Q(status=s.INTERRUPTED)),
        skipped=Count("pk", filter=Q(status=s.SKIPPED)),
        bounced=Count("pk", filter=Q(status=s.BOUNCED)),
        unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
    )
    return CampaignStats(**{k: int(v or 0) for k, v in row.items()})


def campaign_deliveries(*, campaign: Campaign) -> QuerySet[Delivery]:
    return Delivery.objects.filter(campaign=campaign).select_related("contact").order_by("-pk")


def region_choices(*, actor: User) -> list[str]:
    """Regions of the companies the actor reads, for the segment builder."""
    return sorted(
        {
            r
            for r in contact_list(actor=actor)
            .exclude(company__region="")
            .values_list("company__region", flat=True)
            .distinct()
            if r
        }
    )
