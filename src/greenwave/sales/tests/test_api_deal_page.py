"""GET /api/v1/deals reads its page as plain rows: every deal must equal what GET
/api/v1/deals/{id} answers through the model and the validated schema."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from greenwave.accounts import scope_cache
from greenwave.accounts import services as account_services
from greenwave.crm import services as crm_services
from greenwave.crm.models import PriceList
from greenwave.sales import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored() -> Any:
    """A request of an English-speaking user leaves English active in this thread."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def varied_deals(two_teams: dict[str, Any], b2b: Any, stages: dict[str, Any]) -> list[Any]:
    """Deals with and without lines, contacts (in an order their ids do not give), a client,
    a loss reason, a date, on two teams."""
    head = two_teams["head_a"]
    pump = crm_services.product_create(actor=None, name="Насос ЦН-100", sku="CN-100")
    valve = crm_services.product_create(actor=None, name="Клапан", sku="KL-1")
    crm_services.prices_set(
        actor=None,
        price_list=PriceList.objects.get(kind="base"),
        prices={pump.pk: "10000.00", valve.pk: "333.33"},
    )
    company = crm_services.company_create(actor=head, name="ООО Ромашка")
    yakov = crm_services.contact_create(actor=head, company=company, full_name="Яков Сидоров")
    anna = crm_services.contact_create(actor=head, company=company, full_name="Анна Иванова")
    plain = services.deal_create(actor=head, title="Без всего", pipeline=b2b)
    full = services.deal_create(
        actor=head,
        title="Со всем",
        pipeline=b2b,
        amount=Decimal("12.5"),
        company=company,
        contacts=[yakov, anna],
        responsible=two_teams["hunter_a"],
        description="описание",
    )
    services.deal_add_item(actor=head, deal=full, product=pump, quantity=Decimal("1.5"))
    services.deal_add_item(actor=head, deal=full, product=valve, quantity=Decimal(3))
    lost = services.deal_create(actor=head, title="Проиграна", pipeline=b2b, stage=stages["needs"])
    services.deal_lose(actor=head, deal=lost, reason=b2b.loss_reasons.first(), comment="цена")
    other = services.deal_create(actor=two_teams["head_b"], title="Чужая", pipeline=b2b)
    return [plain, full, lost, other]


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_deal_of_the_page_is_the_deal_read_alone(
    two_teams, bearer, varied_deals, language
) -> None:
    head = two_teams["head_a"]
    account_services.preferences_update(actor=head, language=language, time_zone="Europe/Moscow")
    api = bearer(head)
    page = api.get("/api/v1/deals?page_size=50")
    assert page.status_code == 200
    body = page.json()
    assert body["count"] == 3
    assert body["page"] == 1
    assert body["page_size"] == 50
    assert varied_deals[3].pk not in [d["id"] for d in body["items"]]  # another team's
    for item in body["items"]:
        assert item == api.get(f"/api/v1/deals/{item['id']}").json()
    full = next(d for d in body["items"] if d["title"] == "Со всем")
    assert len(full["items"]) == 2
    assert len(full["contact_ids"]) == 2
    lost = next(d for d in body["items"] if d["title"] == "Проиграна")
    assert lost["lost_reason"]


def test_filters_sorts_and_pages_answer_the_same_deals(two_teams, bearer, varied_deals) -> None:
    api = bearer(two_teams["admin"])
    by_title = api.get("/api/v1/deals?sort=title&page_size=2&page=2").json()
    assert by_title["count"] == 4
    assert [d["title"] for d in by_title["items"]] == ["Со всем", "Чужая"]
    lost = api.get("/api/v1/deals?status=lost").json()
    assert [d["title"] for d in lost["items"]] == ["Проиграна"]
    found = api.get("/api/v1/deals?q=Со вс").json()
    assert [d["title"] for d in found["items"]] == ["Со всем"]
    beyond = api.get("/api/v1/deals?page=9").json()
    assert beyond["items"] == []
    assert beyond["count"] == 4


def test_the_deal_page_takes_a_fixed_number_of_queries(two_teams, bearer, varied_deals) -> None:
    api = bearer(two_teams["head_a"])
    api.get("/api/v1/deals")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/deals").status_code == 200
    # The token with its user; the page, the count, its contacts, its lines. The caller's
    # roles and teams were read by the first request and kept for the user's scope stamp.
    assert len(queries.captured_queries) == 5, [q["sql"] for q in queries.captured_queries]
    scope_cache.clear()  # a process that has not seen the caller reads them
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/deals").status_code == 200
    assert len(queries.captured_queries) == 7, [q["sql"] for q in queries.captured_queries]


def test_a_full_deal_page_adds_one_bounded_count_whatever_the_rows(
    two_teams, bearer, varied_deals, b2b, settings
) -> None:
    """The statements of a page do not grow with the deals, and the count reads at most
    GREENWAVE_LIST_COUNT_LIMIT + 1 rows: exact up to the limit, null beyond."""
    settings.GREENWAVE_LIST_COUNT_LIMIT = 6
    head = two_teams["head_a"]
    api = bearer(head)
    api.get("/api/v1/deals")
    statements = []
    for more in (3, 20):
        for i in range(more):
            services.deal_create(actor=head, title=f"Ещё {more}-{i}", pipeline=b2b)
        with CaptureQueriesContext(connection) as queries:
            page = api.get("/api/v1/deals?page_size=2").json()
        statements.append(len(queries.captured_queries))
        assert "LIMIT 7" in queries.captured_queries[-3]["sql"], queries.captured_queries[-3]
        assert page["next"] == 2
    # token; page, count; contacts, lines — the same at 6 deals and at 26 (the roles and
    # teams kept since the first request).
    assert statements == [5, 5]
    assert api.get("/api/v1/deals?page_size=2").json()["count"] is None
    last = api.get("/api/v1/deals?page_size=5&page=6").json()
    assert (len(last["items"]), last["count"], last["next"]) == (1, 26, None)
