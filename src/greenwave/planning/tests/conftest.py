from greenwave.activities.tests.conftest import company_a, company_b, deal_a  # noqa: F401
