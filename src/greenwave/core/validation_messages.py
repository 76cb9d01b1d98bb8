"""The translated messages of the API's 400 `validation_error` answers.

pydantic's (and ninja's) own messages are English only; a client whose language is Russian
reads each error's `msg` in Russian. `details.errors` stays machine-readable: each error keeps
its `loc` and pydantic's `type` (and, for unknown fields, the `unknown` and `allowed` names).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

Message = Callable[[Mapping[str, Any]], str]


def _limit(ctx: Mapping[str, Any], key: str) -> str:
    return str(ctx.get(key, ""))


def _length_message(kind: str) -> Message:
    """An error of a string's or a list's length: `too_long`, `too_short`…"""

    def message(ctx: Mapping[str, Any]) -> str:
        if kind == "string_too_long":
            count = int(ctx.get("max_length", 0))
            return ngettext(
                "At most %(count)d character.", "At most %(count)d characters.", count
            ) % {"count": count}
        if kind == "string_too_short":
            count = int(ctx.get("min_length", 0))
            return ngettext(
                "At least %(count)d character.", "At least %(count)d characters.", count
            ) % {"count": count}
        if kind == "too_long":
            count = int(ctx.get("max_length", 0))
            return ngettext("At most %(count)d item.", "At most %(count)d items.", count) % {
                "count": count
            }
        count = int(ctx.get("min_length", 0))
        return ngettext("At least %(count)d item.", "At least %(count)d items.", count) % {
            "count": count
        }

    return message


def _fixed(text: Callable[[], str]) -> Message:
    return lambda _ctx: text()


MESSAGES: dict[str, Message] = {
    "missing": _fixed(lambda: _("This field is required.")),
    "extra_forbidden": _fixed(lambda: _("Unknown field.")),
    "unknown_fields": lambda ctx: (
        _("Unknown fields: %(unknown)s. Allowed fields: %(allowed)s.")
        % {
            "unknown": ", ".join(ctx.get("unknown", ())),
            "allowed": ", ".join(ctx.get("allowed", ())),
        }
    ),
    "string_type": _fixed(lambda: _("A string is expected.")),
    "string_too_long": _length_message("string_too_long"),
    "string_too_short": _length_message("string_too_short"),
    "too_long": _length_message("too_long"),
    "too_short": _length_message("too_short"),
    "string_pattern_mismatch": _fixed(lambda: _("The value has a wrong format.")),
    "int_type": _fixed(lambda: _("An integer is expected.")),
    "int_parsing": _fixed(lambda: _("An integer is expected.")),
    "int_from_float": _fixed(lambda: _("An integer is expected.")),
    "float_type": _fixed(lambda: _("A number is expected.")),
    "float_parsing": _fixed(lambda: _("A number is expected.")),
    "decimal_type": _fixed(lambda: _("A number is expected.")),
    "decimal_parsing": _fixed(lambda: _("A number is expected.")),
    "decimal_max_digits": lambda ctx: (
        _("At most %(limit)s digits.") % {"limit": _limit(ctx, "max_digits")}
    ),
    "decimal_max_places": lambda ctx: (
        _("At most %(limit)s digits after the point.") % {"limit": _limit(ctx, "decimal_places")}
    ),
    "decimal_whole_digits": lambda ctx: (
        _("At most %(limit)s digits before the point.") % {"limit": _limit(ctx, "whole_digits")}
    ),
    "finite_number": _fixed(lambda: _("A finite number is expected.")),
    "bool_type": _fixed(lambda: _("true or false is expected.")),
    "bool_parsing": _fixed(lambda: _("true or false is expected.")),
    "greater_than": lambda ctx: _("Must be greater than %(limit)s.") % {"limit": _limit(ctx, "gt")},
    "greater_than_equal": lambda ctx: (
        _("Must be at least %(limit)s.") % {"limit": _limit(ctx, "ge")}
    ),
    "less_than": lambda ctx: _("Must be less than %(limit)s.") % {"limit": _limit(ctx, "lt")},
    "less_than_equal": lambda ctx: _("Must be at most %(limit)s.") % {"limit": _limit(ctx, "le")},
    "date_type": _fixed(lambda: _("A date in the YYYY-MM-DD format is expected.")),
    "date_parsing": _fixed(lambda: _("A date in the YYYY-MM-DD format is expected.")),
    "date_format": _fixed(lambda: _("A date in the YYYY-MM-DD format is expected.")),
    "date_from_datetime_parsing": _fixed(lambda: _("A date in the YYYY-MM-DD format is expected.")),
    "date_from_datetime_inexact": _fixed(lambda: _("A date in the YYYY-MM-DD format is expected.")),
    "datetime_type": _fixed(lambda: _("A date and time in the ISO 8601 format is expected.")),
    "datetime_parsing": _fixed(lambda: _("A date and time in the ISO 8601 format is expected.")),
    "datetime_from_date_parsing": _fixed(
        lambda: _("A date and time in the ISO 8601 format is expected.")
    ),
    "datetime_out_of_range": _fixed(
        lambda: _(
            "A moment between the years 1 and 9999 with a UTC offset of at most 14 hours is "
            "expected."
        )
    ),
    "time_type": _fixed(lambda: _("A time in the HH:MM format is expected.")),
    "time_parsing": _fixed(lambda: _("A time in the HH:MM format is expected.")),
    "literal_error": lambda ctx: _("One of: %(allowed)s.") % {"allowed": ctx.get("expected", "")},
    "enum": lambda ctx: _("One of: %(allowed)s.") % {"allowed": ctx.get("expected", "")},
    "list_type": _fixed(lambda: _("A list is expected.")),
    "dict_type": _fixed(lambda: _("An object is expected.")),
    "model_type": _fixed(lambda: _("An object is expected.")),
    "model_attributes_type": _fixed(lambda: _("An object is expected.")),
    "json_invalid": _fixed(lambda: _("The body is not valid JSON.")),
    "url_parsing": _fixed(lambda: _("A URL is expected.")),
    "url_scheme": _fixed(lambda: _("A URL is expected.")),
    "url_type": _fixed(lambda: _("A URL is expected.")),
    "value_error": _fixed(lambda: _("The value is invalid.")),
    "uuid_parsing": _fixed(lambda: _("A UUID is expected.")),
    "none_required": _fixed(lambda: _("null is expected.")),
}


def validation_message(error: Mapping[str, Any]) -> str:
    """The translated message of one pydantic error; pydantic's own text for a type the table
    does not know (still better than none)."""
    message = MESSAGES.get(str(error.get("type", "")))
    if message is None:
        return str(error.get("msg", ""))
    return message(error.get("ctx") or {})


def validation_detail(error: Mapping[str, Any]) -> dict[str, Any]:
    """One error of `details.errors`: where, what (pydantic's type) and the translated text."""
    kind = str(error.get("type", ""))
    detail: dict[str, Any] = {
        "loc": [str(p) for p in error.get("loc", ())],
        "msg": validation_message(error),
        "type": kind,
    }
    if kind == "unknown_fields":
        ctx = error.get("ctx") or {}
        detail["unknown"] = list(ctx.get("unknown", ()))
        detail["allowed"] = list(ctx.get("allowed", ()))
    return detail


def unknown_fields_message(details: list[dict[str, Any]]) -> str | None:
    """The answer's message when the request names unknown fields (the fields it names and
    the allowed ones), else None."""
    unknown = [d for d in details if d["type"] in {"unknown_fields", "extra_forbidden"}]
    if not unknown:
        return None
    if len(unknown) == 1 and unknown[0]["type"] == "unknown_fields":
        return str(unknown[0]["msg"])
    names = [n for d in unknown for n in d.get("unknown", [d["loc"][-1] if d["loc"] else ""])]
    return _("Unknown fields: %(unknown)s.") % {"unknown": ", ".join(names)}
