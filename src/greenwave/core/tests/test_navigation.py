"""The menu shows what a role does: a lawyer approves and reads clients, a hunter sells."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from greenwave.accounts.models import User
from greenwave.core.navigation import nav_for


def menu_keys(user: User) -> set[str]:
    return {item["key"] for items in nav_for(user, "/").values() for item in items}


@pytest.mark.django_db
def test_a_lawyer_sees_the_inbox_clients_and_deals_not_the_sales_tools(
    make_user: Callable[..., User],
) -> None:
    keys = menu_keys(make_user(roles=["lawyer"]))
    assert {"bpm_inbox", "clients", "contacts", "deals", "activities"} <= keys
    assert not keys & {"crm_import", "call_planning", "funnel", "leads", "my_day", "bpm_team"}


@pytest.mark.django_db
def test_hr_sees_processes_but_not_the_client_base(make_user: Callable[..., User]) -> None:
    keys = menu_keys(make_user(roles=["hr"]))
    assert {"bpm_inbox", "bpm_instances", "bpm_definitions"} <= keys
    assert not keys & {"clients", "deals", "leads", "products", "funnel"}


@pytest.mark.django_db
def test_a_hunter_sees_the_sales_tools_but_not_the_head_pages(
    make_user: Callable[..., User],
) -> None:
    keys = menu_keys(make_user(roles=["hunter"]))
    assert {"my_day", "leads", "deals", "crm_import", "call_planning", "funnel"} <= keys
    assert not keys & {"bpm_team", "bpm_holdups", "team_days", "users"}


@pytest.mark.django_db
def test_an_administrator_sees_every_item(make_user: Callable[..., User]) -> None:
    admin_keys = menu_keys(make_user(roles=["admin"]))
    for role in ("hunter", "lawyer", "hr", "head_of_sales", "call_center"):
        assert menu_keys(make_user(roles=[role])) <= admin_keys


@pytest.mark.django_db
def test_every_menu_page_has_a_title_of_its_own(
    make_user: Callable[..., User], client: Client
) -> None:
    """A browser tab, the history and a bookmark name the page: «Шаблоны документов ·
    Greenwave», not «Greenwave · Greenwave» (the templates' and legal entities' pages were)."""
    admin = make_user(roles=["admin"])
    client.force_login(admin)
    failed, untitled = [], []
    for item in (item for items in nav_for(admin, "/").values() for item in items):
        response = client.get(item["url"])
        if response.status_code != 200:
            failed.append((item["url"], response.status_code))
        elif "<title>Greenwave · Greenwave</title>" in response.content.decode():
            untitled.append(item["url"])
    assert (failed, untitled) == ([], [])
