"""The funnel page says how fresh its figures are in the words of its reader: the worker and
the rebuild command for an administrator, not for a head of sales."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _page(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("analytics:funnel")).content.decode()


def test_the_director_reads_no_operators_hint(two_teams: dict[str, Any]) -> None:
    page = _page(two_teams["director"])  # in Russian, the default
    assert "rollups_rebuild" not in page
    assert "агрегат" not in page.lower()
    assert "Цифры догоняют сделки в течение нескольких минут" in page


def test_the_administrator_is_told_how_the_figures_are_kept(two_teams: dict[str, Any]) -> None:
    assert "rollups_rebuild" in _page(two_teams["admin"])
