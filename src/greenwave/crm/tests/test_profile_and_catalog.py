"""Client profile, competitors, products and price lists: services, API and pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.core.money import Money
from greenwave.core.tests.queries import assert_queries_do_not_grow
from greenwave.crm import selectors, services
from greenwave.crm.models import (
    ClientProfile,
    Competitor,
    CompetitorPresence,
    Price,
    PriceList,
    Product,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(two_teams):
    head = two_teams["head_a"]
    group = services.product_group_create(actor=head, name="Упаковка")
    box = services.product_create(actor=head, name="Короб", sku="UP-1", group=group)
    film = services.product_create(
        actor=head, name="Плёнка", sku="UP-2", group=group, unit="m", vat_rate="10"
    )
    return {"group": group, "box": box, "film": film}


def test_five_discount_price_lists_and_a_base_list_exist_from_the_start(two_teams) -> None:
    discount = selectors.discount_price_lists(actor=two_teams["head_a"])
    assert [p.name for p in discount] == [f"Скидочный прайс-лист {n}" for n in range(1, 6)]
    assert [p.level for p in discount] == [1, 2, 3, 4, 5]
    assert PriceList.objects.filter(kind="base").count() == 1


def test_profile_sections_are_saved_and_every_change_is_in_company_history(
    two_teams, company_a
) -> None:
    actor = two_teams["hunter_a"]
    services.client_profile_update(
        actor=actor,
        company=company_a,
        industry_trends="Рост онлайн-продаж",
        market_share="12,5",
        goals=["new_branches", "market_share"],
    )
    services.client_profile_update(actor=actor, company=company_a, market_share=Decimal("15"))

    profile = ClientProfile.objects.get(company=company_a)
    assert profile.market_share == Decimal("15.00")
    assert profile.goals == ["market_share", "new_branches"]
    history = selectors.company_history(actor=actor, company=company_a)
    changes = [e.payload["changes"] for e in history if e.activity == "client_profile_changed"]
    assert changes[0] == {"market_share": ["12.50", "15.00"]}
    assert changes[1]["industry_trends"] == ["", "Рост онлайн-продаж"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"market_share": "150"}, "market_share"), ({"goals": ["world_domination"]}, "goals")],
)
def test_bad_profile_input_changes_nothing(two_teams, company_a, fields, field) -> None:
    with pytest.raises(DomainError) as exc:
        services.client_profile_update(actor=two_teams["hunter_a"], company=company_a, **fields)
    assert exc.value.details["field"] == field
    assert not ClientProfile.objects.exists()
    assert not Event.objects.filter(activity="client_profile_changed").exists()


def test_profile_of_another_teams_client_is_refused(two_teams, company_b, bearer) -> None:
    with pytest.raises(DomainError):
        services.client_profile_update(
            actor=two_teams["hunter_a"], company=company_b, industry_trends="x"
        )
    client = bearer(two_teams["hunter_a"])
    assert client.get(f"/api/v1/companies/{company_b.pk}/profile").status_code == 404
    response = client.patch(
        f"/api/v1/companies/{company_b.pk}/profile",
        {"industry_trends": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not ClientProfile.objects.exists()


def test_profile_through_the_api(two_teams, bearer, company_a) -> None:
    client = bearer(two_teams["hunter_a"])
    assert client.get(f"/api/v1/companies/{company_a.pk}/profile").json()["goals"] == []
    response = client.patch(
        f"/api/v1/companies/{company_a.pk}/profile",
        {"key_success_factors": "Цена", "goals": ["cost_reduction"]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["goals"] == ["cost_reduction"]


def test_profile_page_saves_sections_and_the_card_shows_them(
    two_teams, browser_of, company_a
) -> None:
    client = browser_of(two_teams["hunter_a"])
    response = client.post(
        reverse("crm:company_profile", args=[company_a.pk]),
        {"industry_trends": "Консолидация сетей", "goals": ["new_clients"], "market_share": "7"},
    )
    assert response.status_code == 302
    card = client.get(reverse("crm:company_detail", args=[company_a.pk])).content.decode()
    assert "Консолидация сетей" in card
    assert "Привлечение новых клиентов" in card or "Attract new clients" in card


def test_competitor_is_linked_to_clients_and_counted_within_scope(
    two_teams, company_a, company_b
) -> None:
    competitor = services.competitor_create(
        actor=two_teams["hunter_a"], name="ООО «ПакЛайн»", price_level="lower"
    )
    services.competitor_link(
        actor=two_teams["hunter_a"], competitor=competitor, company=company_a, note="короба"
    )
    services.competitor_link(actor=two_teams["hunter_b"], competitor=competitor, company=company_b)

    assert selectors.competitor_get(actor=two_teams["hunter_a"], pk=competitor.pk).client_count == 1
    assert selectors.competitor_get(actor=two_teams["director"], pk=competitor.pk).client_count == 2
    clients = selectors.competitor_clients(actor=two_teams["hunter_a"], competitor=competitor)
    assert [p.company for p in clients] == [company_a]
    history = selectors.company_history(actor=two_teams["hunter_a"], company=company_a)
    assert history[0].activity == "competitor_linked"

    with pytest.raises(DomainError) as exc:
        services.competitor_link(
            actor=two_teams["hunter_a"], competitor=competitor, company=company_b
        )
    assert exc.value.status == 404
    assert CompetitorPresence.objects.count() == 2


def test_competitor_names_are_unique_and_bad_price_level_refused(two_teams) -> None:
    services.competitor_create(actor=two_teams["hunter_a"], name="ПакЛайн")
    with pytest.raises(DomainError) as exc:
        services.competitor_create(actor=two_teams["hunter_b"], name="паклайн")
    assert exc.value.code == "crm.duplicate"
    with pytest.raises(DomainError) as exc:
        services.competitor_create(actor=two_teams["hunter_b"], name="X", price_level="free")
    assert exc.value.details["field"] == "price_level"


def test_competitors_through_the_api_and_pages(two_teams, bearer, browser_of, company_a) -> None:
    client = bearer(two_teams["hunter_a"])
    created = client.post(
        "/api/v1/competitors",
        {"name": "СкладМаш", "price_level": "higher", "assortment": "Стеллажи"},
        content_type="application/json",
    )
    assert created.status_code == 201
    competitor_id = created.json()["id"]
    linked = client.post(
        f"/api/v1/companies/{company_a.pk}/competitors",
        {"competitor_id": competitor_id, "note": "монтаж"},
        content_type="application/json",
    )
    assert linked.status_code == 201
    assert client.get("/api/v1/competitors?q=складмаш").json()["items"][0]["client_count"] == 1
    page = browser_of(two_teams["hunter_a"]).get(
        reverse("crm:competitor_detail", args=[competitor_id])
    )
    assert "ООО «Ромашка»" in page.content.decode()
    assert "ООО «Ромашка»" not in (
        browser_of(two_teams["hunter_b"])
        .get(reverse("crm:competitor_detail", args=[competitor_id]))
        .content.decode()
    )
    removed = client.delete(f"/api/v1/companies/{company_a.pk}/competitors/{competitor_id}")
    assert removed.status_code == 204


def test_only_heads_and_admins_change_the_catalogue(two_teams, catalog, bearer) -> None:
    with pytest.raises(DomainError) as exc:
        services.product_create(actor=two_teams["hunter_a"], name="Скотч", sku="UP-3")
    assert exc.value.status == 403
    response = bearer(two_teams["hunter_a"]).post(
        "/api/v1/products", {"name": "Скотч", "sku": "UP-3"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "crm.not_a_catalog_manager"
    assert Product.objects.count() == 2


def test_duplicate_sku_is_refused(two_teams, catalog) -> None:
    with pytest.raises(DomainError) as exc:
        services.product_create(actor=two_teams["head_a"], name="Другой", sku="up-1")
    assert exc.value.details["field"] == "sku"


def test_prices_are_set_per_list_all_or_nothing_with_an_event(two_teams, catalog) -> None:
    head = two_teams["head_a"]
    discount3 = PriceList.objects.get(kind="discount", level=3)
    box, film = catalog["box"], catalog["film"]
    services.prices_set(actor=head, price_list=discount3, prices={box.pk: "100", film.pk: 50})

    with pytest.raises(DomainError) as exc:
        services.prices_set(actor=head, price_list=discount3, prices={box.pk: "90", film.pk: "-1"})
    assert exc.value.code == "crm.invalid_price"
    assert selectors.price_of(product=box, price_list=discount3) == Money.of("100")

    changes = services.prices_set(
        actor=head, price_list=discount3, prices={box.pk: "", film.pk: 55}
    )
    assert changes == {"UP-1": ["100.00", None], "UP-2": ["50.00", "55.00"]}
    assert selectors.price_of(product=box, price_list=discount3) is None
    assert Price.objects.get(product=film, price_list=discount3).amount == Decimal("55.00")
    assert Event.objects.filter(activity="prices_changed").count() == 2


def test_products_and_price_lists_through_the_api(two_teams, bearer, catalog) -> None:
    client = bearer(two_teams["head_a"])
    product = client.post(
        "/api/v1/products",
        {"name": "Скотч", "sku": "UP-3", "group_id": catalog["group"].pk, "vat_rate": "20"},
        content_type="application/json",
    )
    assert product.status_code == 201
    assert product.json()["group"]["name"] == "Упаковка"
    assert client.get("/api/v1/products?vat_rate=10").json()["count"] == 1
    patched = client.patch(
        f"/api/v1/products/{catalog['box'].pk}",
        {"is_active": False},
        content_type="application/json",
    )
    assert patched.json()["is_active"] is False

    lists = client.get("/api/v1/price-lists?kind=discount").json()
    assert lists["count"] == 5
    list_id = lists["items"][0]["id"]
    prices = client.put(
        f"/api/v1/price-lists/{list_id}/prices",
        {"prices": {str(catalog["box"].pk): "99.90"}},
        content_type="application/json",
    )
    assert prices.status_code == 200
    assert prices.json() == [
        {"product_id": catalog["box"].pk, "sku": "UP-1", "name": "Короб", "amount": "99.90"}
    ]
    sixth = client.post(
        "/api/v1/price-lists",
        {"name": "Ещё скидка", "kind": "discount", "level": 3},
        content_type="application/json",
    )
    assert sixth.status_code == 409
    special = client.post(
        "/api/v1/price-lists",
        {"name": "Для дилеров", "kind": "special"},
        content_type="application/json",
    )
    assert special.status_code == 201


def test_price_list_page_edits_prices_in_place(two_teams, browser_of, catalog) -> None:
    base = PriceList.objects.get(kind="base")
    client = browser_of(two_teams["head_a"])
    url = reverse("crm:price_list_detail", args=[base.pk])
    response = client.post(url, {f"price_{catalog['box'].pk}": "120,50"})
    assert response.status_code == 302
    assert selectors.price_of(product=catalog["box"], price_list=base) == Money.of("120.50")
    page = browser_of(two_teams["hunter_a"]).get(url).content.decode()
    assert "120,50" in page or "120.50" in page
    assert 'name="price_' not in page


@pytest.mark.parametrize("name", ["crm:competitor_list", "crm:product_list", "crm:price_list_list"])
def test_catalog_list_pages_query_count_does_not_grow(two_teams, browser_of, name) -> None:
    head = two_teams["head_a"]
    client = browser_of(head)

    def add(start: int, count: int) -> None:
        for i in range(start, start + count):
            group = services.product_group_create(actor=head, name=f"Группа {i}")
            services.product_create(actor=head, name=f"Товар {i}", sku=f"SKU-{i}", group=group)
            services.competitor_create(actor=head, name=f"Конкурент {i}")
            services.price_list_create(actor=head, name=f"Прайс {i}", kind="special")

    add(0, 1)
    response, _ = assert_queries_do_not_grow(lambda: client.get(reverse(name)), lambda: add(1, 8))
    assert response.status_code == 200


def test_price_list_page_query_count_does_not_grow(two_teams, browser_of) -> None:
    head = two_teams["head_a"]
    base = PriceList.objects.get(kind="base")
    client = browser_of(head)
    url = reverse("crm:price_list_detail", args=[base.pk])

    def add(start: int, count: int) -> None:
        for i in range(start, start + count):
            product = services.product_create(actor=head, name=f"Товар {i}", sku=f"SKU-{i}")
            services.prices_set(actor=head, price_list=base, prices={product.pk: i + 1})

    add(0, 1)
    assert_queries_do_not_grow(lambda: client.get(url), lambda: add(1, 8))


@pytest.mark.parametrize("url", ["/api/v1/products", "/api/v1/price-lists", "/api/v1/competitors"])
def test_catalog_api_lists_query_count_does_not_grow(two_teams, bearer, url) -> None:
    head = two_teams["head_a"]
    client = bearer(head)

    def add_six() -> None:
        for i in range(6):
            group = services.product_group_create(actor=head, name=f"Группа {i}")
            services.product_create(actor=head, name=f"Товар {i}", sku=f"SKU-{i}", group=group)
            services.competitor_create(actor=head, name=f"Конкурент {i}")

    assert_queries_do_not_grow(lambda: client.get(url), add_six)


def test_competitor_history_hides_the_clients_of_other_teams(
    two_teams, bearer, browser_of, company_a, company_b
) -> None:
    # Regression: "noted at АО «Южный ветер»" showed team B's client to team A (any role).
    competitor = services.competitor_create(actor=two_teams["hunter_a"], name="ООО «ПакЛайн»")
    services.competitor_link(actor=two_teams["hunter_a"], competitor=competitor, company=company_a)
    services.competitor_link(actor=two_teams["hunter_b"], competitor=competitor, company=company_b)

    history = selectors.competitor_history(actor=two_teams["hunter_a"], competitor=competitor)
    assert [e.payload.get("company") for e in history] == ["ООО «Ромашка»", None]
    director = selectors.competitor_history(actor=two_teams["director"], competitor=competitor)
    assert len(director) == 3

    api = bearer(two_teams["hunter_a"]).get(f"/api/v1/competitors/{competitor.pk}/history")
    assert api.status_code == 200
    assert "Южный" not in api.content.decode()
    page = browser_of(two_teams["hunter_a"]).get(
        reverse("crm:competitor_detail", args=[competitor.pk])
    )
    assert page.status_code == 200
    assert "Южный" not in page.content.decode()
    assert "Ромашка" in page.content.decode()


@pytest.mark.parametrize("role", ["hr", "call_center", "lawyer", "finance", "accountant"])
def test_roles_outside_sales_read_competitors_but_cannot_change_them(
    two_teams, make_user, bearer, browser_of, role
) -> None:
    competitor = services.competitor_create(actor=two_teams["hunter_a"], name="ПакЛайн")
    outsider = make_user(roles=[role], team=two_teams["team_a"])
    with pytest.raises(DomainError) as exc:
        services.competitor_update(actor=outsider, competitor=competitor, notes="взлом")
    assert exc.value.status == 403
    with pytest.raises(DomainError):
        services.competitor_create(actor=outsider, name="Новый")

    api = bearer(outsider)
    assert api.get(f"/api/v1/competitors/{competitor.pk}").status_code == 200
    patched = api.patch(
        f"/api/v1/competitors/{competitor.pk}", {"notes": "взлом"}, content_type="application/json"
    )
    assert patched.status_code == 403
    assert patched.json()["code"] == "crm.not_a_competitor_editor"
    created = api.post("/api/v1/competitors", {"name": "Новый"}, content_type="application/json")
    assert created.status_code == 403

    browser = browser_of(outsider)
    detail = browser.get(reverse("crm:competitor_detail", args=[competitor.pk]))
    assert reverse("crm:competitor_edit", args=[competitor.pk]) not in detail.content.decode()
    edit_url = reverse("crm:competitor_edit", args=[competitor.pk])
    assert browser.get(edit_url).status_code == 403
    assert browser.post(edit_url, {"name": "Взлом", "price_level": "similar"}).status_code == 403
    assert browser.get(reverse("crm:competitor_create")).status_code == 403
    listing = browser.get(reverse("crm:competitor_list")).content.decode()
    assert reverse("crm:competitor_create") not in listing
    competitor.refresh_from_db()
    assert (competitor.name, competitor.notes) == ("ПакЛайн", "")
    assert Competitor.objects.count() == 1


@pytest.mark.parametrize("role", ["hunter", "closer", "farmer", "kam", "head_of_sales", "admin"])
def test_sales_roles_and_their_heads_describe_competitors(two_teams, make_user, role) -> None:
    editor = make_user(roles=[role], team=two_teams["team_a"])
    competitor = services.competitor_create(actor=editor, name="ПакЛайн")
    services.competitor_update(actor=editor, competitor=competitor, notes="дешевле на 5%")
    competitor.refresh_from_db()
    assert competitor.notes == "дешевле на 5%"
