from greenwave.core.tests.browser.conftest import browser, page, pytest_runtest_makereport  # noqa: F401
