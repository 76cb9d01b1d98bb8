"""The shortcuts of a contact's cleaning (names, e-mails, birthdays, genders) answer exactly
what the full checks answer, over many random and edge inputs."""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from greenwave.core.errors import DomainError
from greenwave.core.text import visible_text
from greenwave.crm.models import Gender
from greenwave.crm.requisites import _PLAIN_EMAIL_RE, normalize_email
from greenwave.crm.services import clients
from greenwave.crm.services.import_copy import json_list as _json_list
from greenwave.crm.services.import_rows import _choice_code, _gender_code, _parse_date
from greenwave.crm.services.imports import _checked_search_text


def _outcome(call, *args, **kwargs):  # type: ignore[no-untyped-def]
    try:
        return ("ok", call(*args, **kwargs))
    except DomainError as exc:
        return ("error", exc.code, exc.message, exc.details)


def test_no_letter_or_digit_is_invisible() -> None:
    """`_text` keeps a text that begins and ends with a letter or digit as it is: none of
    them is a space or a format character, which is all `visible_text` drops."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char.isalnum():
            assert not char.isspace(), hex(code)
            assert unicodedata.category(char) != "Cf", hex(code)


def _slow_text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    """`clients._text` before its shortcut."""
    text = visible_text(value or "")
    if required and not text:
        raise clients._field_error(field, clients._("This field is required."))
    if len(text) > limit:
        raise clients._field_error(field, clients._("At most %(n)d characters.") % {"n": limit})
    return text


def test_text_shortcut_agrees_with_visible_text() -> None:
    rng = random.Random(3)
    alphabet = "аБвЁё zZ9 \t\n\u200b\ufeff\u200e\u00a0.-'’Ⅻ٣"
    samples: list[object] = ["", " ", "Иванов", "Иванов Иван", "\u200bИван", "Иван\u200b", None]
    samples += [5, 0, "x" * 256, "Ё" * 255, "Ё" * 256]
    for _ in range(20_000):
        samples.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))))
    for value in samples:
        for required in (False, True):
            fast = _outcome(clients._text, value, "full_name", 255, required=required)
            slow = _outcome(_slow_text, value, "full_name", 255, required=required)
            assert fast == slow, repr(value)
            assert fast[0] != "ok" or type(fast[1]) is str


def _django_accepts(raw: str) -> bool:
    try:
        validate_email(raw)
    except ValidationError:
        return False
    return True


def test_plain_email_shortcut_is_within_django_validator() -> None:
    rng = random.Random(5)
    alphabet = 'abz09._+-@@..-"\\ !#яé'
    samples = [
        "a.b@mail.ru",
        "i.ivanov12@yandex.ru",
        "a@b.co",
        "a@b.c",
        "a@-b.ru",
        "a@b-.ru",
        "a@b.r-u",
        "a..b@mail.ru",
        ".a@mail.ru",
        "a.@mail.ru",
        "a@mail..ru",
        "a@mail.ru.",
        "a@" + "b" * 63 + ".ru",
        "a@" + "b" * 64 + ".ru",
        "a@b." + "r" * 63,
        "a@b." + "r" * 64,
        "a" * 310 + "@mail.ru",
        "a" * 312 + "@mail.ru",
        "a@localhost",
        "a@[127.0.0.1]",
        "a@xn--80a.xn--p1ai",
        "a@пример.рф",
        '"a b"@mail.ru',
    ]
    for _ in range(10_000):
        user = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        host = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        samples.append(f"{user}@{host}{rng.choice(['.ru', '.com', '', '.r', '.рф', '.'])}")
    plain = "abz09_+-"
    for _ in range(10_000):
        user = ".".join(
            "".join(rng.choice(plain) for _ in range(rng.randint(0, 4)))
            for _ in range(rng.randint(1, 3))
        )
        host = ".".join(
            "".join(rng.choice("ab0-") for _ in range(rng.randint(0, 4)))
            for _ in range(rng.randint(1, 3))
        )
        samples.append(f"{user}@{host}.{rng.choice(['ru', 'com', 'r', 'r-u', 'рф', 'r1'])}")
    shortcut = 0
    for raw in samples:
        for value in (raw, raw.upper(), f" {raw} "):
            if len(value) <= 320 and _PLAIN_EMAIL_RE.fullmatch(value):
                shortcut += 1
                assert _django_accepts(value), value
            cleaned = value.strip().lower()
            expected = ("ok", cleaned) if _django_accepts(cleaned) else "error"
            answer = _outcome(normalize_email, value)
            assert (answer if answer[0] == "ok" else "error") == expected, value
    assert shortcut > 500


def _slow_date(value: str) -> date | str | None:
    text = value.strip()
    if not text:
        return None
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return "error"


def test_date_shortcut_agrees_with_strptime() -> None:
    rng = random.Random(7)
    samples = ["", " ", "31.12.1980", "29.02.1980", "29.02.1981", "00.01.1990", "1980-12-31"]
    samples += ["31.04.1980", "01.13.1980", "1.2.1980", "01.02.80", "0000-01-01", "01.01.0000"]
    samples += ["01.01.0001", "٠١.٠١.١٩٨٠", "1980-02-30", " 05.06.1970 ", "05/06/1970", "x"]
    for _ in range(20_000):
        d, m, y = rng.randint(0, 35), rng.randint(0, 14), rng.randint(0, 2100)
        samples.append(f"{d:02d}.{m:02d}.{y:04d}")
        samples.append(f"{y:04d}-{m:02d}-{d:02d}")
        samples.append(f"{d}.{m}.{y}")
    for value in samples:
        slow = _slow_date(value)
        if slow == "error":
            with pytest.raises(DomainError):
                _parse_date(value, "birthday")
        else:
            assert _parse_date(value, "birthday") == slow, value


@pytest.mark.parametrize(
    "value",
    ["м", "ж", " М ", "Ж", "male", "Female", "мужской", "Женский", "", " ", "x", "м ж", "МУЖ"],
)
def test_gender_code_agrees_with_choice_code(value: str) -> None:
    letter = value.strip().casefold()
    expected = (
        {"м": "male", "ж": "female"}[letter]
        if letter in ("м", "ж")
        else _choice_code(value, Gender)
    )
    assert _gender_code(value) == expected
    assert _gender_code(value) == expected  # cached


def test_checked_rows_search_text_and_json_agree_with_the_general_ones() -> None:
    rng = random.Random(11)
    alphabet = 'aЁё Zж0+@."\\\n\u200bé~\x7f'
    words = ["", "Иванов Ёж", "+79161234567", "a.b@mail.ru", 'q"@x.ru', "ООО «Ёлка»"]
    words += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(5_000)]
    for _ in range(20_000):
        phones = rng.sample(words, rng.randint(0, 2))
        emails = rng.sample(words, rng.randint(0, 2))
        row = {
            "full_name": rng.choice(words),
            "position": rng.choice(words),
            "phones": phones,
            "emails": emails,
            "company_name": rng.choice([*words[:6], None]),
        }
        assert _checked_search_text(row) == clients.search_text_of(
            row["full_name"], row["position"], phones, emails, [], row["company_name"] or ""
        )
        assert _json_list(phones) == json.dumps(phones)
        assert _json_list(emails) == json.dumps(emails)
    for odd in ([1, "a"], ["a", None], ["", ""], [""], []):
        assert _json_list(odd) == json.dumps(odd)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_reserved_ids_whether_consecutive_or_not() -> None:
    """`bulkcopy.reserve_ids` answers the ids drawn: a range when they are consecutive, the
    ids themselves otherwise (here a sequence stepping by 3)."""
    from django.db import connection

    from greenwave.core import bulkcopy
    from greenwave.crm.models import Contact

    if not bulkcopy.supported():
        pytest.skip("sequences are PostgreSQL's")
    ids = bulkcopy.reserve_ids(Contact, 5)
    assert ids == list(range(ids[0], ids[0] + 5))
    with connection.cursor() as cursor:
        cursor.execute("ALTER SEQUENCE crm_contact_id_seq INCREMENT BY 3")
    try:
        stepped = bulkcopy.reserve_ids(Contact, 4)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER SEQUENCE crm_contact_id_seq INCREMENT BY 1")
    assert stepped == [stepped[0] + 3 * i for i in range(4)]
    assert stepped[0] > ids[-1]
    assert bulkcopy.reserve_ids(Contact, 0) == []


def test_contact_row_shortcut_agrees_with_the_full_check() -> None:
    """`_contact_row_fast` answers what `_packed(_check_contact_row(…))` answers for every
    row it takes, and leaves every bad row to the full check (which reports it) — given the
    local date once, as the dry run gives it a chunk at a time."""
    from django.utils import timezone

    from greenwave.crm.models import Company
    from greenwave.crm.services.import_rows import _check_contact_row, _contact_row_fast
    from greenwave.crm.services.imports import _packed

    companies = {"7707083893": Company(pk=5, inn="7707083893")}
    pools = {
        "full_name": ["Иванов Иван", "Ёж", " Пётр", "Иван\u200b", "", "x" * 256, "a" * 255, "9"],
        "position": ["", "Директор", "Директор.", "x" * 256, "«Глава»"],
        "phones": [
            "+79161234567",
            "+7 916 123-45-67",
            "89161234567",
            "+74951234567",
            "+7916",
            "+79161234567, +79161234568",
            "+79161234567;",
            "abc",
            "",
            " +79161234567",
        ],
        "emails": [
            "a.b@mail.ru",
            "A.B@Mail.RU",
            "a@b",
            "x;y@z.ru",
            " a@b.ru ",
            'q"@x.ru',
            "",
            "a@b.ru,c@d.ru",
            "ё@почта.рф",
        ],
        "birthday": [
            "31.12.1980",
            "1980-12-31",
            "31/12/1980",
            "32.01.1980",
            "",
            "x",
            "1.1.80",
            "31.12.2099",
        ],
        "gender": ["м", "Ж", "male", "Мужской", "x", "", "female"],
        "mailing_consent": ["да", "Нет", "", "maybe", "+", " YES "],
        "company_inn": ["7707083893", "7736207543", "123", "", " 7707083893"],
        "notes": ["", "note", " n", "x" * 5001, "заметка!"],
    }
    rng = random.Random(29)
    taken = 0
    today = timezone.localdate()
    for number in range(2, 20_002):
        values = {  # the usual value (first) most often, so that many rows are good
            f: pool[0] if rng.random() < 0.8 else rng.choice(pool)
            for f, pool in pools.items()
            if rng.random() < 0.95
        }
        fast = _contact_row_fast(number, values, companies, today)
        try:
            slow = _packed(number, _check_contact_row(None, values, companies))  # type: ignore[arg-type]
        except DomainError:
            assert fast is None, values
            continue
        if fast is not None:
            taken += 1
            assert fast == slow, values
    assert taken > 1_000


def test_contact_row_shortcut_takes_the_date_it_is_given() -> None:
    """A birthday on the `today` the dry run passes is taken, the day after it left to the
    full check (which refuses a birthday in the future); without `today`, the local date."""
    from datetime import timedelta

    from django.utils import timezone

    from greenwave.crm.services.import_rows import _contact_row_fast

    def row(birthday: date, today: date | None) -> list[object] | None:
        values = {"full_name": "Иванов Иван", "birthday": birthday.strftime("%d.%m.%Y")}
        return _contact_row_fast(2, values, {}, today)

    day = date(2026, 3, 1)
    assert row(day, day) is not None
    assert row(day + timedelta(days=1), day) is None
    local = timezone.localdate()
    assert row(local, None) is not None
    assert row(local + timedelta(days=1), None) is None


@pytest.mark.django_db
def test_array_literals_read_back_as_the_values() -> None:
    """`bulkcopy.text_array` is read by PostgreSQL as the list it was made of, whatever the
    strings hold (quotes, backslashes, commas, braces, the word NULL)."""
    from django.db import connection

    from greenwave.core import bulkcopy

    if not bulkcopy.supported():
        pytest.skip("array literals are PostgreSQL's")
    rng = random.Random(31)
    alphabet = 'a"\\,{} NULLё\t\n😀'
    texts = ["", "NULL", '"', "\\", "a,b", "{x}", " pad "]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(300)]
    with connection.cursor() as cursor:
        for sample in (texts, ["+79161234567", "a@b.ru"], [], ["x"]):
            cursor.execute("SELECT %s::text[]", [bulkcopy.text_array(sample)])
            assert cursor.fetchone()[0] == sample
