"""The HTML surface: sign-in (with throttling), language, admin pages and their permissions."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from greenwave.accounts.models import Team, User
from greenwave.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_wrong_password_shows_a_clear_message(client, make_user) -> None:
    make_user("anna")
    response = login(client, "anna", "wrong")
    assert response.status_code == 200
    assert "Неверный логин или пароль" in response.content.decode()


def test_repeated_failures_are_throttled_even_with_the_right_password(client, make_user) -> None:
    make_user("boris")
    for _ in range(5):
        login(client, "boris", "wrong")
    response = login(client, "boris", PASSWORD)
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in response.content.decode()


def test_successful_login_lands_on_the_shell(client, make_user) -> None:
    make_user("vera", roles=["hunter"], first_name="Вера", last_name="Орлова")
    response = login(client, "vera", PASSWORD)
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Вера Орлова" in page
    assert "Охотник" in page


def test_language_switch_is_saved_on_the_user(client, make_user) -> None:
    user = make_user("lang")
    client.force_login(user)
    client.post("/accounts/language/", {"language": "en", "next": "/"})
    assert User.objects.get(pk=user.pk).language == "en"
    assert "Hello," in client.get("/").content.decode()
    client.post("/accounts/language/", {"language": "ru", "next": "https://evil.example/"})
    assert "Здравствуйте," in client.get("/").content.decode()


def test_password_reset_sends_a_link(client, make_user) -> None:
    make_user("mailer", email="mailer@example.com")
    response = client.post("/accounts/password/reset/", {"email": "mailer@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_admin_pages_are_refused_to_a_hunter(client, two_teams) -> None:
    client.force_login(two_teams["hunter_a"])
    for url in ("/accounts/admin/users/", "/accounts/admin/teams/", "/accounts/admin/roles/"):
        assert client.get(url).status_code == 403
    response = client.post("/accounts/admin/users/new/", {"username": "intruder"})
    assert response.status_code == 403
    assert not User.objects.filter(username="intruder").exists()


def test_admin_creates_a_user_with_roles_and_team(client, two_teams) -> None:
    client.force_login(two_teams["admin"])
    response = client.post(
        "/accounts/admin/users/new/",
        {
            "username": "newbie",
            "password": "Very-long-pass-2026",
            "first_name": "Новый",
            "last_name": "Сотрудник",
            "roles": ["farmer"],
            "team": two_teams["team_a"].pk,
            "time_zone": "Europe/Moscow",
            "language": "ru",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.role_codes() == {"farmer"}
    assert user.team == two_teams["team_a"]


def test_duplicate_login_is_a_form_error_and_changes_nothing(client, two_teams) -> None:
    client.force_login(two_teams["admin"])
    response = client.post(
        "/accounts/admin/users/new/",
        {
            "username": "HUNTER_A",
            "first_name": "x",
            "last_name": "y",
            "time_zone": "Europe/Moscow",
            "language": "ru",
        },
    )
    assert response.status_code == 200
    assert "уже занят" in response.content.decode()
    assert User.objects.filter(username__iexact="hunter_a").count() == 1


def test_team_cycle_is_refused(client, two_teams) -> None:
    client.force_login(two_teams["admin"])
    department = two_teams["department"]
    response = client.post(
        f"/accounts/admin/teams/{department.pk}/",
        {"name": department.name, "parent": two_teams["team_a"].pk},
    )
    assert response.status_code == 200
    assert Team.objects.get(pk=department.pk).parent is None


def test_user_list_page_query_count_is_pinned(client, two_teams, make_user) -> None:
    client.force_login(two_teams["admin"])
    client.get("/accounts/admin/users/")
    for i in range(8):
        make_user(f"more{i}", roles=["kam"], team=two_teams["team_b"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/accounts/admin/users/")
    assert response.status_code == 200
    assert len(queries) <= 12, [q["sql"] for q in queries]


def test_list_page_answers_htmx_with_the_results_partial(client, two_teams) -> None:
    client.force_login(two_teams["admin"])
    response = client.get("/accounts/admin/users/?q=hunter", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert "hunter_a" in body
    assert "head_a" not in body


@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=6)
def test_one_address_trying_many_usernames_is_locked_out(client, make_user) -> None:
    # Regression: axes locked username+address pairs only, so one address could try a few
    # passwords on every account.
    make_user("vera")
    for index in range(6):
        assert login(client, f"guess{index}", "wrong").status_code == 200
    response = login(client, "vera", PASSWORD)
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    other_address = client.post(
        "/accounts/login/",
        {"username": "vera", "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    assert other_address.status_code == 302


@override_settings(PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS=3, PASSWORD_RESET_RATE_LIMIT_PER_ACCOUNT=2)
def test_password_reset_is_throttled_per_account_and_per_address(client, make_user) -> None:
    make_user("gleb", email="gleb@example.com")
    for _ in range(3):
        response = client.post("/accounts/password/reset/", {"email": "gleb@example.com"})
        assert response.status_code == 302  # the same answer whether sent or not
    assert len(mail.outbox) == 2  # the account's limit
    refused = client.post("/accounts/password/reset/", {"email": "other@example.com"})
    assert refused.status_code == 429
    assert len(mail.outbox) == 2
    elsewhere = client.post(
        "/accounts/password/reset/", {"email": "gleb@example.com"}, REMOTE_ADDR="10.9.9.9"
    )
    assert elsewhere.status_code == 302
    assert len(mail.outbox) == 2  # still the account's limit, from any address


@pytest.mark.django_db
def test_the_sign_in_page_says_where_the_demo_logins_are_once_the_demo_is_loaded(client, make_user):
    from greenwave.accounts.demo import demo_password
    from greenwave.accounts.services import demo_company_mark_seeded

    url = "/accounts/login/"
    make_user("director", roles=["head_of_sales"])  # a company's own director is no demo
    assert b"demo-logins-hint" not in client.get(url).content
    demo_company_mark_seeded()
    page = client.get(url).content.decode()
    assert "demo-logins-hint" in page
    assert "seed_demo --logins-only" in page
    assert demo_password() not in page


def test_the_demo_first_steps_are_on_the_home_page_by_role(client, make_user):
    from greenwave.accounts.services import demo_company_mark_seeded

    hunter = make_user("tour_hunter", roles=["hunter"])
    head = make_user("tour_head", roles=["head_of_sales"])
    client.force_login(hunter)
    assert "home-tour" not in client.get("/").content.decode()  # no demo, no tour

    demo_company_mark_seeded()
    demo_company_mark_seeded()  # once is enough
    tour = client.get("/").content.decode().split('data-testid="home-tour"', 1)[1]
    tour = tour.split("</ol>", 1)[0]
    assert 'href="/sales/"' in tour  # a hunter's steps: the kanban…
    assert "/processes/holdups/" not in tour  # …not the head's holdups
    client.force_login(head)
    tour = client.get("/").content.decode().split('data-testid="home-tour"', 1)[1]
    assert "/mining/" in tour.split("</ol>", 1)[0]  # the head's: the real process first
    from greenwave.core.models import Event

    assert Event.objects.filter(activity="demo_company_seeded").count() == 1


def test_the_english_first_steps_name_the_stages_in_english():
    """The steps named the stages «Договор» and «Счёт» in the English texts themselves."""
    import re

    from django.utils import translation

    from greenwave.accounts.tour import STEPS

    with translation.override("en"):
        english = " ".join(f"{step.title} {step.text}" for step in STEPS)
    with translation.override("ru"):
        russian = " ".join(str(step.text) for step in STEPS)
    assert not re.search("[А-Яа-яЁё]", english), english
    assert "«Договора»" in russian
    assert "«Счёт»" in russian


@pytest.mark.parametrize("role", ["finance", "accountant", "lawyer", "call_center", "hr"])
def test_the_first_steps_title_promises_no_more_steps_than_it_lists(client, make_user, role):
    """The finance user saw «Five things to try first» above two steps: the title names no
    number, and each back-office role gets steps of its own work (payments, claims)."""
    from greenwave.accounts.services import demo_company_mark_seeded

    demo_company_mark_seeded()
    user = make_user(f"tour_{role}", roles=[role])
    User.objects.filter(pk=user.pk).update(language="en")
    client.force_login(user)
    tour = client.get("/").content.decode().split('data-testid="home-tour"', 1)[1]
    tour = tour.split("</ol>", 1)[0]
    assert "Five" not in tour
    assert tour.count("<li") >= 2
    if role in ("finance", "accountant"):
        assert "/money/receivables/" in tour
        assert "/money/payments/new/" in tour
    if role == "lawyer":
        assert "/claims/" in tour
    if role == "call_center":  # the operator's own work first
        assert tour.split('href="', 1)[1].startswith("/sales/leads/new/")
    assert ("contract" in tour) is (role != "hr")  # HR approves no contracts
