"""`normalize_phone`'s shortcut for numbers already in E.164 (`+7` and ten digits) answers
exactly what the full parse answers."""

from __future__ import annotations

import random
import re

import phonenumbers
import pytest

from greenwave.core.errors import DomainError
from greenwave.crm import requisites
from greenwave.crm.requisites import normalize_phone


def _slow(raw: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, "RU")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_shortcut_agrees_with_the_parse_on_random_numbers() -> None:
    rng = random.Random(23)
    numbers = [f"+7{rng.randint(0, 9_999_999_999):010d}" for _ in range(20_000)]
    numbers += [f"+79{rng.randint(0, 999_999_999):09d}" for _ in range(2_000)]
    numbers += ["+78001234567", "+78123456789", "+77012345678", "+74951234567", "+70000000000"]
    valid = 0
    for raw in numbers:
        fast = raw if requisites._valid_ru_e164(raw) else None
        assert fast is None or fast == _slow(raw), raw
        try:
            answer: str | None = normalize_phone(raw)
        except DomainError:
            answer = None
        assert answer == _slow(raw), raw
        valid += answer is not None
    assert valid > 2_000  # the mobiles at least: the shortcut was taken


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+7 495 123-45-67", "+74951234567"),
        ("8 (495) 123-45-67", "+74951234567"),
        ("+74951234567", "+74951234567"),
        ("+77012345678", "+77012345678"),  # Kazakhstan shares +7
    ],
)
def test_other_forms_still_parsed(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


def test_invalid_e164_refused() -> None:
    with pytest.raises(DomainError):
        normalize_phone("+70000000000")


def _desc_checks(national: str) -> bool:
    """What `_is_russian_mobile` stands for, the way `_is_number_matching_desc` checks it:
    RU's leading digits, then of the general and the mobile description the possible lengths
    and the whole number against the pattern."""
    russia = phonenumbers.PhoneMetadata.metadata_for_region("RU")
    assert russia is not None
    assert russia.leading_digits is not None
    if not re.match(russia.leading_digits, national):
        return False
    for desc in (russia.general_desc, russia.mobile):
        assert desc is not None
        assert desc.national_number_pattern
        if desc.possible_length and len(national) not in desc.possible_length:
            return False
        if not re.fullmatch(desc.national_number_pattern, national):
            return False
    return True


def test_the_mobile_shortcut_is_the_descriptions_checks_in_one_regex() -> None:
    rng = random.Random(5)
    nationals = [f"{rng.randint(0, 9_999_999_999):010d}" for _ in range(20_000)]
    nationals += [f"9{rng.randint(0, 999_999_999):09d}" for _ in range(20_000)]
    nationals += [f"93{rng.randint(0, 99_999_999):08d}" for _ in range(5_000)]
    nationals += ["", "9", "916123456", "91612345678", "8" + "1" * 13, "9161234567\n"]
    nationals += [f"{rng.randint(0, 10**13):d}" for _ in range(2_000)]
    mobiles = 0
    for national in nationals:
        assert requisites._is_russian_mobile(national) == _desc_checks(national), national
        mobiles += _desc_checks(national)
    assert 10_000 < mobiles < len(nationals)
