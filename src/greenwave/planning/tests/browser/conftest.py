from greenwave.activities.tests.conftest import company_a  # noqa: F401
from greenwave.core.tests.browser.conftest import (  # noqa: F401
    browser,
    page,
    pytest_runtest_makereport,
)
