"""Every menu page of every demo role, in both languages (issue 14, «Done when»): each answers
without an error, the Russian pages leak no common English UI words, and a full-page
screenshot of each is kept in `test-artifacts/menus/<lang>/<role>/<page>.png` to be looked at.

The demo company is loaded as `make demo` loads it (`seed_demo`); one browser, one sign-in per
role; the pages come from `core.navigation.nav_for`, so a new menu item is walked too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command

from greenwave.accounts.models import User
from greenwave.core.navigation import nav_for
from greenwave.sales.tests.conftest import default_pipelines  # noqa: F401 (the data migration's)

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-menu-walk-1"
ROLES = {  # role → the demo login that holds it
    "admin": "admin",
    "head_of_sales": "head_north",
    "hunter": "hunter",
    "call_center": "callcenter",
    "farmer": "farmer",
    "lawyer": "lawyer",
    "finance": "finance",
    "hr": "hr",
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


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=greeting]")


def _switch(page: Any, lang: str) -> None:
    page.click(f"[data-testid=language-switcher] button[value={lang}]")
    page.wait_for_function(f"() => document.documentElement.lang === '{lang}'")


@pytest.mark.parametrize("role", list(ROLES))
def test_every_menu_page_of_the_role_answers_in_both_languages(
    page: Any,
    live_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    default_pipelines: None,  # noqa: F811
    role: str,
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    # A small demo history keeps eight roles × two languages within minutes.
    call_command("seed_demo", deals=150, stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = User.objects.get(username=ROLES[role])
    items = [item for section in nav_for(user, "/").values() for item in section]
    assert len(items) >= 3, [i["key"] for i in items]
    _sign_in(page, live_server.url, user.username)
    leaks: dict[str, list[str]] = {}
    english_hits = 0
    for lang in ("ru", "en"):
        _switch(page, lang)
        folder = ARTIFACTS / "menus" / lang / role
        folder.mkdir(parents=True, exist_ok=True)
        for item in items:
            response = page.goto(f"{live_server.url}{item['url']}")
            assert response is not None
            assert response.status < 400, (lang, item["url"], response.status)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(folder / f"{item['key']}.png"), full_page=True)
            assert page.get_attribute("html", "lang") == lang
            text = page.evaluate(MAIN_TEXT)
            assert "Traceback" not in text
            assert "Server Error" not in text
            words = sorted(set(ENGLISH.findall(text)))
            if lang == "ru":
                assert re.search("[а-яё]", text, re.IGNORECASE), item["url"]  # not blank
                if words:
                    leaks[item["url"]] = words
            else:
                english_hits += len(words)
    # The word list catches real UI words (the English pages use them), so a clean Russian
    # walk means translated pages, not a list that matches nothing.
    assert english_hits >= len(items), english_hits
    assert leaks == {}, leaks
