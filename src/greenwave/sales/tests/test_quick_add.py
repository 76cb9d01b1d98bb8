"""The header's quick «+»: each role is offered only the create forms it uses."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _offered(user) -> list[str]:
    client = Client()
    client.force_login(user)
    return re.findall(r'data-quick-add="([a-z_]+)"', client.get("/").content.decode())


@pytest.mark.parametrize(
    ("roles", "offered"),
    [
        (["hunter"], ["lead", "deal", "company", "task"]),
        (["head_of_sales"], ["lead", "deal", "company", "task"]),
        (["admin"], ["lead", "deal", "company", "task"]),
        (["call_center"], ["lead", "company", "task"]),
        (["lawyer"], ["task"]),
        (["finance", "accountant"], ["task"]),
    ],
)
def test_the_quick_add_menu_fits_the_role(make_user, roles, offered) -> None:
    assert _offered(make_user(roles=roles)) == offered


def test_each_quick_add_link_opens_its_create_form(make_user, default_pipelines) -> None:
    client = Client()
    client.force_login(make_user(roles=["hunter"]))
    page = client.get("/").content.decode()
    links = dict(re.findall(r'href="([^"]+)" data-quick-add="([a-z_]+)"', page))
    assert set(links.values()) == {"lead", "deal", "company", "task"}
    for url in links:
        assert client.get(url.replace("&amp;", "&")).status_code == 200, url
    task_url = next(url for url, key in links.items() if key == "task")
    assert "kind=task" in task_url
