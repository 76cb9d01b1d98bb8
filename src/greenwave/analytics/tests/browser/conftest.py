from greenwave.core.tests.browser.conftest import (  # noqa: F401
    browser,
    page,
    pytest_runtest_makereport,
)
