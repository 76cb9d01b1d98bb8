"""Playwright driving Debian's chromium against the live test server; screenshots on failure.

One browser per test process, however many conftests import these fixtures: Playwright's sync
API cannot be started twice in one thread, so the browser is a process-wide singleton.
"""

from __future__ import annotations

import atexit
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[5] / "test-artifacts"
# Counts the page's requests in flight (XHR, htmx's too, and fetch) and when the last one
# began or ended: `settled` waits on it instead of Playwright's «networkidle», which always
# waits 500 ms after the last request — half a second on each of hundreds of pages.
QUIET_SCRIPT = """(() => {
  let pending = 0;
  let last = performance.now();
  const began = () => { pending += 1; last = performance.now(); };
  const ended = () => { pending -= 1; last = performance.now(); };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    began();
    this.addEventListener("loadend", ended, { once: true });
    return send.apply(this, args);
  };
  const fetch = window.fetch;
  window.fetch = function (...args) {
    began();
    return fetch.apply(this, args).finally(ended);
  };
  window.__gwQuietFor = (ms) => pending === 0 && performance.now() - last >= ms;
})();"""
_STATE: dict[str, Any] = {}


def _shared_browser() -> Any:
    if "browser" not in _STATE:
        if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
            pytest.fail(f"chromium not found at {CHROMIUM}: run `make system-deps`")
        from playwright.sync_api import sync_playwright

        _flush_waits_for_the_live_server()
        manager = sync_playwright().start()
        _STATE["playwright"] = manager
        _STATE["browser"] = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        atexit.register(_close)
    return _STATE["browser"]


def _flush_waits_for_the_live_server() -> None:
    """A request the browser left behind may still hold a table of the shared in-memory SQLite
    database when a test's flush starts («database table is locked»): the flush (one
    transaction) is retried briefly. Patched once, for the browser tests of this process."""
    from django.core.management.commands import flush
    from django.db import OperationalError

    original = flush.Command.handle

    def handle(self: Any, *args: Any, **options: Any) -> Any:
        for attempt in range(50):
            try:
                return original(self, *args, **options)
            except Exception as exc:  # a CommandError raised from the OperationalError
                cause = exc.__cause__
                if attempt == 49 or not isinstance(cause, OperationalError):
                    raise
                if "locked" not in str(cause):
                    raise
                time.sleep(0.1)
        return None

    flush.Command.handle = handle  # type: ignore[method-assign]


def _close() -> None:
    browser = _STATE.pop("browser", None)
    manager = _STATE.pop("playwright", None)
    if browser is not None:
        browser.close()
    if manager is not None:
        manager.stop()


def settled(page: Any, quiet_ms: int = 100) -> None:
    """Wait until the page has loaded and no request of its own has been in flight for
    `quiet_ms` (htmx's panels loaded and swapped in, a diagram's XML fetched and drawn)."""
    page.wait_for_load_state("load")
    page.wait_for_function(f"() => window.__gwQuietFor && window.__gwQuietFor({quiet_ms})")


@pytest.fixture(scope="session")
def browser() -> Any:
    return _shared_browser()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 850}, locale="ru-RU")
    context.add_init_script(QUIET_SCRIPT)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    # Leave the page first, so that no htmx poll reaches the server while the database is
    # flushed for the next test.
    tab.goto("about:blank")
    context.close()
