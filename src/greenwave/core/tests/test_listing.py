import pytest
from django.db.models import Case, F, Value, When

from greenwave.accounts.selectors import USER_LIST_SPEC, user_list
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.listing import ListQuery, ListSpec, SortSpec


def parse(**params: str) -> ListQuery:
    return ListQuery.from_params(params, USER_LIST_SPEC, page_size=25, max_page_size=200)


def test_list_query_refuses_unknown_sort_bad_page_and_oversized_pages() -> None:
    with pytest.raises(DomainError) as caught:
        parse(sort="password", page="0", page_size="5000", active="maybe")
    assert caught.value.code == CoreError.VALIDATION
    assert set(caught.value.details["fields"]) == {"sort", "page", "page_size", "active"}


@pytest.mark.django_db
def test_search_filter_and_sort_apply_to_a_scoped_queryset(two_teams) -> None:
    admin = two_teams["admin"]
    team_a = two_teams["team_a"]

    found = user_list(actor=admin, query=parse(q="hunter", sort="-username"))
    assert [u.username for u in found] == ["hunter_b", "hunter_a"]

    in_team = user_list(actor=admin, query=parse(team=str(team_a.pk), role="head_of_sales"))
    assert [u.username for u in in_team] == ["head_a"]


@pytest.mark.django_db
def test_search_ignores_the_case_of_cyrillic_letters_on_every_database(make_user) -> None:
    from greenwave.accounts.models import User

    make_user("ivan", first_name="Иван", last_name="Петров")
    assert list(
        User.objects.filter(first_name__icontains="иВАН").values_list("username", flat=True)
    ) == ["ivan"]
    assert User.objects.filter(last_name__icontains="петр%").count() == 0  # % is literal here


def test_only_the_most_specific_menu_item_is_active(db, make_user) -> None:
    from greenwave.core.navigation import nav_for

    user = make_user("navuser", roles=["hunter"])
    sections = nav_for(user, "/sales/leads/")
    active = [i["key"] for items in sections.values() for i in items if i["active"]]
    assert active == ["leads"]


@pytest.mark.django_db
def test_the_close_button_of_a_message_is_named_in_the_users_language(client, two_teams) -> None:
    client.force_login(two_teams["admin"])
    page = client.post(
        "/saved-filters/",
        {"path": "/accounts/admin/users/", "query": "q=hunter", "name": "Охотники"},
        follow=True,
    ).content.decode()
    assert 'aria-label="Закрыть сообщение"' in page
    assert 'aria-label="Close"' not in page


@pytest.mark.django_db
def test_a_user_saves_a_list_filter_and_finds_it_again(client, two_teams) -> None:
    from greenwave.core.models import SavedFilter

    client.force_login(two_teams["admin"])
    page = client.get("/accounts/admin/users/?q=hunter&sort=-username").content.decode()
    assert 'data-testid="save-filter"' in page
    client.post(
        "/saved-filters/",
        {
            "path": "/accounts/admin/users/",
            "query": "q=hunter&sort=-username&page=2",
            "name": "Охотники",
        },
    )
    saved = SavedFilter.objects.get(user=two_teams["admin"])
    assert saved.query == "q=hunter&sort=-username"  # the page is not part of a filter
    assert "Охотники" in client.get("/accounts/admin/users/").content.decode()
    client.force_login(two_teams["hunter_a"])
    assert "Охотники" not in client.get("/accounts/admin/users/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/companies?regoin=Москва",
        "/api/v1/contacts?companyy=1",
        "/api/v1/deals?stagee=1",
        "/api/v1/users?teem=1",
        "/api/v1/tasks?scope=mine&statuss=open",
        "/api/v1/companies/export?format=csv&regoin=Москва",
    ],
)
def test_an_api_list_refuses_an_unknown_filter_naming_it(two_teams, bearer, url) -> None:
    # Regression: a misspelt filter was ignored and the whole list came back as if filtered.
    response = bearer(two_teams["head_a"]).get(url)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    name = url.rsplit("&", 1)[-1].split("?")[-1].split("=")[0]
    assert body["details"]["fields"] == {name: "unknown parameter"}


def test_an_api_list_still_takes_its_own_and_the_conventions_parameters(two_teams, bearer) -> None:
    api = bearer(two_teams["head_a"])
    for url in (
        "/api/v1/companies?q=x&sort=name&page=1&page_size=10&region=Москва&deleted=false",
        "/api/v1/contacts?deleted=true",
        "/api/v1/tasks?scope=mine",
        "/api/v1/companies/export?format=xlsx&region=Москва",
    ):
        assert api.get(url).status_code == 200, url


def test_an_html_list_says_which_filters_it_ignored(client, two_teams) -> None:
    client.force_login(two_teams["head_a"])
    response = client.get("/clients/companies/?regoin=Москва&region=Москва")
    assert response.status_code == 200
    text = response.content.decode()
    assert "regoin" in text
    assert [str(m) for m in response.context["messages"]] == [
        "Неизвестные фильтры пропущены: regoin."
    ]


def test_a_sort_by_expressions_reverses_them_and_a_one_way_sort_has_no_reverse() -> None:
    rank = Case(When(status="planned", then=Value(0)), default=Value(1))
    both_ways = SortSpec("rank", "Rank", (rank.asc(), F("due_at").desc(), "-pk", "title"))
    one_way = SortSpec("urgent", "Urgent", (rank.asc(),), reversible=False)
    spec = ListSpec(sorts=(both_ways, one_way))
    assert spec.sort_keys() == ["rank", "urgent", "-rank"]
    reversed_terms = both_ways.terms(descending=True)
    assert [t.descending for t in reversed_terms[:2]] == [True, False]
    assert reversed_terms[2:] == ["-pk", "-title"]
    assert both_ways.terms() == list(both_ways.order_by)
    assert not both_ways.order_by[0].descending  # the spec's own terms are left as they were
