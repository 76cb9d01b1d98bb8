from greenwave.core.tests.browser.conftest import browser, page  # noqa: F401
