"""Parameters of the analytics pages and endpoints, checked once for both (400, never 500)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.core.errors import CoreError, DomainError
from greenwave.sales.periods import check_period_dates, check_period_order

from .figures import COMPARES, GROUPINGS, LOST_AFTER_DAYS, NEW_WITHIN_DAYS
from .segments import KINDS, SegmentParams

PRESETS = ("day", "week", "month", "quarter", "year")


def invalid(field: str, message: str) -> DomainError:
    return DomainError(CoreError.VALIDATION, message, details={"fields": {field: [message]}})


def preset_period(preset: str, today: date | None = None) -> tuple[date, date]:
    """The current day / week / month / quarter / year up to today."""
    today = today or timezone.localdate()
    if preset == "day":
        return today, today
    if preset == "week":
        return today - timedelta(days=today.weekday()), today
    if preset == "month":
        return today.replace(day=1), today
    if preset == "quarter":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today
    return today.replace(month=1, day=1), today


def period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The asked period; by default the last twelve whole months and this one."""
    today = timezone.localdate()
    date_to = date_to or today
    if date_from is None:
        start = date_to.replace(day=1)
        date_from = start.replace(year=start.year - 1) if start.year > 1 else start
    check_period_dates(date_from, date_to)
    check_period_order(date_from, date_to)
    return date_from, date_to


def choice(value: str | None, choices: tuple[str, ...], field: str, default: str | None) -> Any:
    if value in (None, ""):
        return default
    if value not in choices:
        raise invalid(field, _("One of: %(choices)s.") % {"choices": ", ".join(choices)})
    return value


def days(value: int | None, field: str, default: int) -> int:
    if value is None:
        return default
    if not 1 <= value <= 3650:
        raise invalid(field, _("A number of days from 1 to 3650."))
    return value


def compare(value: str | None) -> str | None:
    chosen: str | None = choice(value, COMPARES, "compare", None)
    return chosen


def group_by(value: str | None) -> str:
    chosen: str = choice(value, GROUPINGS, "group_by", "month")
    return chosen


def kind(value: str | None) -> str:
    chosen: str = choice(value, KINDS, "kind", "abc")
    return chosen


def _share(value: str | None, field: str, default: Decimal) -> Decimal:
    if value in (None, ""):
        return default
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise invalid(field, _("A number such as 0.8.")) from exc
    if not number.is_finite() or not Decimal(0) < number <= Decimal(10):
        raise invalid(field, _("A number above 0 and at most 10."))
    return number


def segment_params(data: Any) -> SegmentParams:
    months = data.get("months")
    try:
        count = int(months) if months not in (None, "") else 12
    except (TypeError, ValueError) as exc:
        raise invalid("months", _("A number of months from 1 to 60.")) from exc
    if not 1 <= count <= 60:
        raise invalid("months", _("A number of months from 1 to 60."))
    params = SegmentParams(months=count)
    params.a_share = _share(data.get("a_share"), "a_share", params.a_share)
    params.b_share = _share(data.get("b_share"), "b_share", params.b_share)
    params.x_max = _share(data.get("x_max"), "x_max", params.x_max)
    params.y_max = _share(data.get("y_max"), "y_max", params.y_max)
    if not params.a_share <= params.b_share <= 1:
        raise invalid("b_share", _("The A share must not exceed the B share, nor B 1."))
    if params.x_max > params.y_max:
        raise invalid("y_max", _("The X limit must not exceed the Y limit."))
    return params


DEFAULTS = {"lost_after_days": LOST_AFTER_DAYS, "new_within_days": NEW_WITHIN_DAYS}
