"""Dates on pages follow the reader's language.

The orders, claims, receivables, commissions and KPI pages wrote `|date:"d.m.Y"`, so an English
page showed 07.12.2026 beside 12/07/2026 from the pages that use the locale's format. Every
date a template shows goes through `SHORT_DATE_FORMAT` / `SHORT_DATETIME_FORMAT` (or a named
format of its own, such as a weekday), never a fixed day-month-year order.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

SRC = Path(__file__).resolve().parents[2]
FIXED_ORDER = re.compile(r'\|date:"[dj][./-][mn][./-][Yy][^"]*"')
# a day and a month in digits in a fixed order anywhere in the format ("d.m", "D, d.m.Y")
FIXED_DAY_MONTH = re.compile(r'\|date:"[^"]*[dj][./-][mn][^"]*"')


def test_no_template_fixes_the_day_month_year_order() -> None:
    found = [
        f"{path.relative_to(SRC)}: {match.group(0)}"
        for path in sorted(SRC.rglob("templates/**/*.html"))
        for match in FIXED_ORDER.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, 'use |date:"SHORT_DATE_FORMAT" (or SHORT_DATETIME_FORMAT):\n' + "\n".join(
        found
    )


def test_no_template_fixes_the_day_month_order() -> None:
    found = [
        f"{path.relative_to(SRC)}: {match.group(0)}"
        for path in sorted(SRC.rglob("templates/**/*.html"))
        for match in FIXED_DAY_MONTH.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, 'use |date:"MONTH_DAY_FORMAT" (the locale\'s short day and month):\n' + (
        "\n".join(found)
    )


@pytest.mark.parametrize(
    ("fmt", "ru", "en"),
    [("MONTH_DAY_FORMAT", "7 дек", "Dec 7"), ("SHORT_DATE_FORMAT", "07.12.2026", "12/07/2026")],
)
def test_the_short_formats_are_the_readers(fmt: str, ru: str, en: str) -> None:
    page = Template(f'{{{{ day|date:"{fmt}" }}}}')
    day = Context({"day": date(2026, 12, 7)})
    with translation.override("ru"):
        assert page.render(day) == ru
    with translation.override("en"):
        assert page.render(day) == en
