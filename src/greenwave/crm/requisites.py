"""Validation and normalisation of Russian requisites, phones and e-mails.

Each function returns the normalised value or raises `DomainError` whose `details["field"]`
names the form field, so forms and the API report the error next to the right input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from greenwave.core.errors import DomainError

from .errors import CrmError

_KPP_RE = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")
_INN_WEIGHTS_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def compact(value: str) -> str:
    """A number as typed, without the spaces and hyphens that group its digits."""
    return re.sub(r"[\s-]", "", value or "")


def _invalid(code: CrmError, message: str, field: str, value: str) -> DomainError:
    """The refusal of a requisite: which field, and the value as it was typed."""
    return DomainError(code, message, details={"field": field, "value": value})


def _checked_digits(
    value: str,
    *,
    field: str,
    code: CrmError,
    lengths: tuple[int, ...],
    validate: Callable[[str], object],
    wrong_length: Callable[[], str],
    wrong_check_digit: Callable[[str], str],
) -> str:
    """A number of digits with a check digit (INN, OGRN) as typed: compacted, of one of the
    `lengths`, passing `validate`; empty stays empty. The messages are built only on a refusal."""
    raw = compact(value)
    if not raw:
        return ""
    if not raw.isdigit() or len(raw) not in lengths:
        raise _invalid(code, wrong_length(), field, value)
    try:
        validate(raw)
    except StdnumError as exc:
        raise _invalid(code, wrong_check_digit(raw), field, value) from exc
    return raw


def normalize_inn(value: str, *, field: str = "inn") -> str:
    return _checked_digits(
        value,
        field=field,
        code=CrmError.INVALID_INN,
        lengths=(10, 12),
        validate=stdnum_inn.validate,
        wrong_length=lambda: _("An INN has 10 digits (organisation) or 12 digits (entrepreneur)."),
        wrong_check_digit=lambda raw: (
            _("The INN %(inn)s has a wrong check digit: check it for a typo.") % {"inn": raw}
        ),
    )


def normalize_kpp(value: str, *, inn: str = "", field: str = "kpp") -> str:
    raw = compact(value).upper()
    if not raw:
        return ""
    if not _KPP_RE.match(raw):
        raise _invalid(
            CrmError.INVALID_KPP,
            _("A KPP has 9 characters: 4 digits, 2 digits or letters, 3 digits."),
            field,
            value,
        )
    if len(inn) == 12:
        raise _invalid(
            CrmError.INVALID_KPP,
            _("An entrepreneur (12-digit INN) has no KPP."),
            field,
            value,
        )
    return raw


def normalize_ogrn(value: str, *, inn: str = "", field: str = "ogrn") -> str:
    raw = _checked_digits(
        value,
        field=field,
        code=CrmError.INVALID_OGRN,
        lengths=(13, 15),
        validate=stdnum_ogrn.validate,
        wrong_length=lambda: _("An OGRN has 13 digits, an OGRNIP 15 digits."),
        wrong_check_digit=lambda raw: (
            _("The OGRN %(ogrn)s has a wrong check digit: check it for a typo.") % {"ogrn": raw}
        ),
    )
    if raw and inn and (len(inn) == 12) != (len(raw) == 15):
        raise _invalid(
            CrmError.INVALID_OGRN,
            _("An organisation has a 13-digit OGRN, an entrepreneur a 15-digit OGRNIP."),
            field,
            value,
        )
    return raw


def normalize_phone(value: str, *, field: str = "phones") -> str:
    """E.164 (`+74951234567`); a number without a country code is taken as Russian."""
    raw = (value or "").strip()
    if not raw:
        return ""
    if _RU_E164_RE.fullmatch(raw) and _valid_ru_e164(raw):
        return raw  # already what this function returns (an import's usual case)
    try:
        number = phonenumbers.parse(raw, "RU")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise DomainError(
            CrmError.INVALID_PHONE,
            _("%(phone)s is not a valid phone number, e.g. +7 495 123-45-67.") % {"phone": raw},
            details={"field": field, "value": raw},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_RU_E164_RE = re.compile(r"\+7\d{10}")


def _valid_ru_e164(raw: str) -> bool:
    """Whether `+7` and ten digits is a valid number, without `phonenumbers.parse` (two
    thirds of a check's cost). Such a number parses to exactly these digits — the ten-digit
    national number of +7 never loses a national prefix "8" (nine digits are no Russian or
    Kazakh number) — so `parse` + `format_number` would return `raw` itself when it is valid
    (`test_requisites` compares both ways over random numbers)."""
    national = raw[2:]
    if _is_russian_mobile(national):
        return True
    number = phonenumbers.PhoneNumber(country_code=7, national_number=int(national))
    return bool(phonenumbers.is_valid_number(number))


def _is_russian_mobile(national: str) -> bool:
    """A shortcut of `is_valid_number` for the usual case, a Russian mobile: the number is
    Russia's (RU's leading digits; +7 is shared with Kazakhstan) and matches RU's general and
    mobile patterns — `is_valid_number` checks eight other types before the mobile one. False
    means "ask `is_valid_number`", not "invalid"."""
    patterns = _russian_mobile_patterns()
    if patterns is None:
        return False
    lengths, pattern = patterns
    return (lengths is None or len(national) in lengths) and pattern.match(national) is not None


@lru_cache(maxsize=1)
def _russian_mobile_patterns() -> tuple[frozenset[int] | None, re.Pattern[str]] | None:
    """What `_is_number_matching_desc` checks of RU's general and mobile descriptions, read
    from the metadata once instead of on every number, as one length test and one regex: the
    possible lengths both allow (None: any), and a pattern that matches where RU's leading
    digits match at the start and each description's pattern matches the whole number (each
    a lookahead anchored at the end)."""
    russia = phonenumbers.PhoneMetadata.metadata_for_region("RU")
    if russia is None or russia.leading_digits is None:
        return None
    lengths: frozenset[int] | None = None
    parts = [f"(?=(?:{russia.leading_digits}))"]
    for desc in (russia.general_desc, russia.mobile):
        if desc is None or not desc.national_number_pattern:
            return None
        if desc.possible_length:
            allowed = frozenset(desc.possible_length)
            lengths = allowed if lengths is None else lengths & allowed
        parts.append(f"(?=(?:{desc.national_number_pattern})\\Z)")
    return lengths, re.compile("".join(parts))


# A strict subset of what Django's `validate_email` accepts: a dot-atom of ASCII letters,
# digits and `_+-` at a host of ASCII labels (1–63 characters, no hyphen at either end) under
# a 2–63-letter top-level domain. What matches needs no further check (`test_email_fast_path`
# compares both over random addresses); anything else goes through the validator.
_PLAIN_EMAIL_RE = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


def normalize_email(value: str, *, field: str = "emails") -> str:
    raw = (value or "").strip().lower()
    if not raw:
        return ""
    if len(raw) <= 320 and _PLAIN_EMAIL_RE.fullmatch(raw):
        return raw
    try:
        validate_email(raw)
    except ValidationError as exc:
        raise DomainError(
            CrmError.INVALID_EMAIL,
            _("%(email)s is not a valid e-mail address.") % {"email": raw},
            details={"field": field, "value": raw},
        ) from exc
    return raw


def format_phone(value: str) -> str:
    """An E.164 number written for people: +7 495 123-45-67."""
    return _format_phone(value) if isinstance(value, str) else _format_phone_uncached(value)


@lru_cache(maxsize=8192)
def _format_phone(value: str) -> str:
    # Cached: a list page shows the same numbers again and again; a parse costs ~20 µs.
    return _format_phone_uncached(value)


def _format_phone_uncached(value: Any) -> str:
    try:
        number = phonenumbers.parse(value, "RU")
    except phonenumbers.NumberParseException:
        return str(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _check_digit(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def inn_with_checksum(prefix: str) -> str:
    """Complete 9 digits to a valid organisation INN, or 10 digits to an entrepreneur's."""
    if len(prefix) == 9:
        return prefix + _check_digit(prefix, _INN_WEIGHTS_10)
    first = prefix + _check_digit(prefix, _INN_WEIGHTS_11)
    return first + _check_digit(first, _INN_WEIGHTS_12)


def ogrn_with_checksum(prefix: str) -> str:
    """Complete 12 digits to a valid OGRN (or 14 digits to an OGRNIP)."""
    modulus = 11 if len(prefix) == 12 else 13
    return prefix + str(int(prefix) % modulus % 10)
