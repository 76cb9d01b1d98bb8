from greenwave.activities.tests.conftest import company_a, company_b, deal_a  # noqa: F401
from greenwave.sales.tests.conftest import default_pipelines  # noqa: F401
