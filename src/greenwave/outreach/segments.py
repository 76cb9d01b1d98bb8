"""Segment filters: the one definition of what a segment's JSON may hold and how it becomes a
query over contacts. Unknown keys and bad values are refused with the field named."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from greenwave.core.errors import DomainError
from greenwave.core.validation_messages import validation_message
from greenwave.sales.models import Deal, DealItem, DealStatus

from .errors import OutreachError

MAX_BIRTHDAY_WINDOW = 366


class SegmentFilters(BaseModel):
    """What a segment filters on (every key optional; all given keys must hold)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    # Client status (crm.Company.segment): "new" or "current".
    client_status: list[str] = Field(default_factory=list, max_length=5)
    # Stage of cooperation: the contact's company has an open deal in one of these stages.
    deal_stage_ids: list[int] = Field(default_factory=list, max_length=200)
    # Interests: the company bought (won deals) products of these groups or their subgroups.
    product_group_ids: list[int] = Field(default_factory=list, max_length=200)
    regions: list[str] = Field(default_factory=list, max_length=100)
    birthday_within_days: int | None = Field(default=None, ge=0, le=MAX_BIRTHDAY_WINDOW)
    # Saved analytics segments (ABC/XYZ/RFM, `analytics.SavedSegment`): the contact's company
    # is among the clients frozen in any of them. Read with the reader's scope.
    analytics_segment_ids: list[int] = Field(default_factory=list, max_length=50)
    # Only contacts who agreed to mailings (152-ФЗ); sending always requires it.
    consent_only: bool = True


CLIENT_STATUSES = ("new", "current")


def parse_filters(raw: Any) -> SegmentFilters:
    """Validate a segment's filters; a 400 naming every bad field."""
    if not isinstance(raw, dict):
        raise DomainError(
            OutreachError.INVALID_FILTERS,
            _("Filters must be an object."),
            details={"fields": {"filters": _("Filters must be an object.")}},
        )
    try:
        filters = SegmentFilters.model_validate(raw)
    except PydanticValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]) or "filters"
            if error["type"] == "extra_forbidden":
                fields[f"filters.{name}"] = _("Unknown filter.")
            else:
                fields[f"filters.{name}"] = validation_message(error)
        raise DomainError(
            OutreachError.INVALID_FILTERS,
            _("The segment filters are invalid: %(names)s.") % {"names": ", ".join(fields)},
            details={"fields": fields},
        ) from exc
    bad = [s for s in filters.client_status if s not in CLIENT_STATUSES]
    if bad:
        raise DomainError(
            OutreachError.INVALID_FILTERS,
            _("Unknown client status: %(values)s.") % {"values": ", ".join(bad)},
            details={"fields": {"filters.client_status": ", ".join(CLIENT_STATUSES)}},
        )
    filters.regions = [r.strip() for r in filters.regions if r.strip()]
    return filters


def birthday_window(today: date, days: int) -> list[tuple[int, int, int]]:
    """The birthdays from `today` to `today + days` inclusive as (month, first day, last day)
    ranges — at most 13, so the query stays small whatever the window.

    The window may cross the new year (December 30 + 5 days covers 30–31 December and 1–3
    January). Someone born on 29 February is greeted on 28 February in a year without one.
    """
    end = today + timedelta(days=days)
    ranges: list[tuple[int, int, int]] = []
    current = today
    while current <= end:
        last_of_month = date(current.year, current.month, calendar.monthrange(*_ym(current))[1])
        stop = min(end, last_of_month)
        last_day = stop.day
        if current.month == 2 and stop.day == 28 and not calendar.isleap(current.year):
            last_day = 29
        ranges.append((current.month, current.day, last_day))
        current = stop + timedelta(days=1)
    return ranges


def _ym(day: date) -> tuple[int, int]:
    return day.year, day.month


def birthday_condition(today: date, days: int, field: str = "birthday") -> Q:
    condition = Q()
    for month, first, last in birthday_window(today, days):
        condition |= Q(
            **{f"{field}__month": month, f"{field}__day__gte": first, f"{field}__day__lte": last}
        )
    return condition


def birthday_on(birthday: date, today: date, days: int) -> date | None:
    """The day of the greeting within the window, or None (29 February → 28 February in a
    year without it)."""
    for offset in range(days + 1):
        day = today + timedelta(days=offset)
        if (birthday.month, birthday.day) == (day.month, day.day):
            return day
        if (
            (birthday.month, birthday.day) == (2, 29)
            and (day.month, day.day) == (2, 28)
            and not calendar.isleap(day.year)
        ):
            return day
    return None


def filters_condition(
    filters: SegmentFilters,
    *,
    today: date,
    group_ids: set[int] | None = None,
    analytics_company_ids: set[int] | None = None,
) -> Q:
    """The contact condition of the filters. `group_ids`: the product groups with their
    subgroups, expanded by the caller (one query over the group tree);
    `analytics_company_ids`: the clients of the saved analytics segments the reader sees
    (none given: nobody matches that filter)."""
    condition = Q(is_deleted=False)
    if filters.client_status:
        condition &= Q(company__segment__in=filters.client_status)
    # Subqueries, not joins: a company with three matching deals is still one row.
    if filters.deal_stage_ids:
        open_deals = Deal.objects.filter(
            stage_id__in=filters.deal_stage_ids, status=DealStatus.OPEN, company__isnull=False
        )
        condition &= Q(company_id__in=open_deals.values("company_id"))
    if filters.product_group_ids:
        groups = group_ids if group_ids is not None else set(filters.product_group_ids)
        won = DealItem.objects.filter(
            deal__status=DealStatus.WON, product__group_id__in=groups, deal__company__isnull=False
        )
        condition &= Q(company_id__in=won.values("deal__company_id"))
    if filters.regions:
        condition &= Q(company__region__in=filters.regions)
    if filters.analytics_segment_ids:
        condition &= Q(company_id__in=sorted(analytics_company_ids or ()))
    if filters.birthday_within_days is not None:
        condition &= birthday_condition(today, filters.birthday_within_days)
    if filters.consent_only:
        condition &= Q(mailing_consent=True)
    return condition
