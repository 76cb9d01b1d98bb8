"""The demo company as `make demo` builds it, walked as each demo role (issue 24, «Done when»;
issue 14 for the languages): every menu page of every role answers without an error in both
languages, is not empty, the Russian pages leak no common English UI words, and a full-page
screenshot of each is kept in `test-artifacts/menus/<lang>/<login>/<page>.png` to be looked at.
Then the director's pages show what the demo is for: the year on the home page, non-zero
period comparisons in the funnel, the planted slow approver first in «who holds whom».

The demo is seeded once, at its real size (`seed_demo` without options); one browser, one
sign-in per login; the pages come from `core.navigation.nav_for`, so a new menu item is walked
too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command

from greenwave.accounts.models import User
from greenwave.core.navigation import nav_for
from greenwave.datagen import demo
from greenwave.sales.tests.conftest import default_pipelines  # noqa: F401 (the data migration's)

from .conftest import ARTIFACTS, settled
from .signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-menu-walk-1"
# One demo login per role (the director is the head of sales of the whole department).
LOGINS = (
    "director",
    "hunter",
    "closer",
    "callcenter",
    "farmer",
    "kam",
    "lawyer",
    "finance",
    "accountant",
    "hr",
    "admin",
)
# Walked in English too: the administrator's menu holds every page, the hunter's a manager's.
ENGLISH_WALK = ("admin", "hunter")
# An empty state shown on a menu page of the demo: a list, board or chart with nothing in it.
EMPTY = "#main [data-testid=empty-state], #main [data-testid=empty], #main [data-testid=day-empty]"
# Menu pages allowed to be empty in the demo, each with the reason.
EMPTY_ALLOWED = {
    ("admin", "my_day"): "the administrator sells nothing: no client to plan a day around",
    ("hr", "activities"): "an activity belongs to a client, contact, lead or deal; HR has none "
    "(HR's work is in its process tasks: the inbox is not empty)",
}
# Common English words of a UI; in a Russian page they mean an untranslated string (or a
# Python value such as None/True leaking into a template).
ENGLISH = re.compile(
    r"\b(Save|Cancel|Search|Add|Delete|Edit|Back|Next|Previous|Yes|No|None|True|False|Name"
    r"|Status|Created|Filter|Export|Upload|Download|Show|Close|Open|Settings|Total|Date|Amount"
    r"|Stage|Deal|Deals|Lead|Leads|Client|Clients|Task|Tasks|Team|Teams|Process|Processes"
    r"|Version|Owner|Responsible|Today|Week|Month|Period|Apply|Reset|New|Select|All|Any|Field"
    r"|Document|Approval|Activity)\b"
)
# The visible text of the main area, without code samples and the like.
MAIN_TEXT = """() => {
  const main = document.querySelector('#main');
  let text = main.innerText;
  for (const el of main.querySelectorAll('code, pre, kbd, .gw-token, [data-lang-neutral]')) {
    const part = el.innerText;
    if (part) text = text.split(part).join(' ');
  }
  return text;
}"""


def _switch(page: Any, lang: str) -> None:
    page.click(f"[data-testid=language-switcher] button[value={lang}]")
    page.wait_for_function(f"() => document.documentElement.lang === '{lang}'")


def _walk(page: Any, live_server: Any, login: str, problems: dict[str, list[str]]) -> int:
    """Every menu page of `login` in both languages; returns the English words seen on the
    English pages (so that a clean Russian walk means translated pages, not a dead word list)."""
    user = User.objects.get(username=login)
    items = [item for section in nav_for(user, "/").values() for item in section]
    assert len(items) >= 3, (login, [i["key"] for i in items])
    sign_in(page, live_server, login, PASSWORD)
    english_hits = 0
    for lang in ("ru", "en") if login in ENGLISH_WALK else ("ru",):
        _switch(page, lang)
        folder = ARTIFACTS / "menus" / lang / login
        folder.mkdir(parents=True, exist_ok=True)
        for item in items:
            where = f"{lang} {login} {item['url']}"
            response = page.goto(f"{live_server.url}{item['url']}")
            assert response is not None
            settled(page)
            page.screenshot(path=str(folder / f"{item['key']}.png"), full_page=True)
            if response.status >= 400:
                problems.setdefault(where, []).append(f"HTTP {response.status}")
                print(where, problems[where])  # noqa: T201 (seen at once with -s)
                continue
            assert page.get_attribute("html", "lang") == lang
            text = page.evaluate(MAIN_TEXT)
            if "Traceback" in text or "Server Error" in text:
                problems.setdefault(where, []).append("server error")
            # Empty: an empty state and no row of data anywhere on the page (a page of several
            # tables, such as the sales figures, may have one section empty for the hour).
            empty = page.locator(EMPTY)
            rows = page.locator("#main tbody tr:not(:has([data-testid=empty-state]))").count()
            if empty.count() and not rows and (login, item["key"]) not in EMPTY_ALLOWED:
                problems.setdefault(where, []).append(f"empty: {empty.first.inner_text()[:80]}")
            words = sorted(set(ENGLISH.findall(text)))
            if lang == "ru":
                if not re.search("[а-яё]", text, re.IGNORECASE):
                    problems.setdefault(where, []).append("no Russian text")
                if words:
                    problems.setdefault(where, []).append(f"English words: {words}")
            else:
                english_hits += len(words)
            if where in problems:
                print(where, problems[where])  # noqa: T201 (seen at once with -s)
    return english_hits


def test_every_menu_page_of_every_demo_role_shows_the_demo(
    page: Any,
    live_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    default_pipelines: None,  # noqa: F811
    settings: Any,
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    # As `make demo` runs (settings.dev): the demo's webhook posts to a local port.
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    problems: dict[str, list[str]] = {}
    english_hits = 0
    for login in LOGINS:
        english_hits += _walk(page, live_server, login, problems)
    assert problems == {}, problems
    assert english_hits >= len(ENGLISH_WALK) * 3, english_hits

    # The director's view of the year (in Russian, as the demo opens).
    sign_in(page, live_server, "director", PASSWORD)
    _switch(page, "ru")
    page.goto(f"{live_server.url}/")
    card = page.locator("[data-testid=home-analytics]")
    assert card.count() == 1
    assert page.locator("[data-testid=home-analytics] canvas").count() >= 1
    page.goto(f"{live_server.url}/sales/funnel/")
    cells = page.locator("[data-testid=period-over-period] tbody tr").first.locator("td")
    values = [cells.nth(i).inner_text().split("(")[0].strip() for i in range(cells.count())]
    assert len(values) == 3, values
    assert all(v not in ("", "—", "0") for v in values), values  # this period, previous, year ago
    page.goto(f"{live_server.url}/processes/holdups/?process=contract_approval")
    slowest = page.locator("[data-testid=per-person] tbody tr").first.inner_text()
    lawyer = User.objects.get(username=demo.DEMO_SLOW_APPROVER)
    assert lawyer.last_name in slowest, slowest
    assert lawyer.username in slowest, slowest
