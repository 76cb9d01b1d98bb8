"""The portfolio's main contact person (seed 003: name, gender, age, e-mail, phone, birth
date): who is chosen, how old they are where the reader is, and who may see them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from greenwave.core.tests.test_api_fuzzing import (
    _keep_the_test_connection,  # noqa: F401 - the autouse fixture, reused
    fuzz_operations,
)
from greenwave.crm.models import Company, Contact, DecisionMaker

from ..portfolio import age_on, client_portfolio, enrich, portfolio_rows, viewer_today


def _contact(company: Company, name: str, **extra: Any) -> Contact:
    owner = extra.pop("owner", None) or company.responsible
    return Contact.objects.create(
        company=company, full_name=name, responsible=owner, team=owner.team, **extra
    )


@pytest.fixture
def people(history: dict[str, Any]) -> dict[str, Any]:
    """Alpha: a plain first contact, then a decision maker of influence 4 and one of 5
    (without a birthday: age typed on the profile). Beta: two plain contacts. Gamma: none."""
    alpha, beta = history["c1"], history["c2"]
    first = _contact(alpha, "Первый Контакт", emails=["first@example.ru"])
    buyer = _contact(
        alpha,
        "Закупкина Анна",
        position="Закупки",
        gender="female",
        emails=["anna@example.ru", "other@example.ru"],
        phones=["+74951234567"],
        birthday=date(1990, 6, 15),
    )
    boss = _contact(alpha, "Директоров Иван", gender="male", emails=["boss@example.ru"])
    DecisionMaker.objects.create(company=alpha, contact=buyer, influence_level=4)
    DecisionMaker.objects.create(company=alpha, contact=boss, influence_level=5, age=52)
    beta_first = _contact(beta, "Бетов Пётр", birthday=date(1980, 1, 1))
    _contact(beta, "Бетова Мария")
    Contact.objects.filter(pk=beta_first.pk).update(created_at=datetime(2020, 1, 1, tzinfo=UTC))
    return {**history, "first": first, "buyer": buyer, "boss": boss, "beta_first": beta_first}


def _by_name(actor: Any) -> dict[str, Any]:
    return {c.name: c for c in enrich(actor, list(portfolio_rows(actor=actor)))}


def test_the_main_contact_is_the_strongest_decision_maker_else_the_first_contact(
    people: dict[str, Any],
) -> None:
    rows = _by_name(people["hunter_a"])
    boss = rows["Alpha"].contact
    assert boss is not None
    assert (boss.contact_id, boss.full_name, boss.gender, boss.email) == (
        people["boss"].pk,
        "Директоров Иван",
        "male",
        "boss@example.ru",
    )
    assert (boss.birthday, boss.age, boss.phone) == (None, 52, "")  # the profile's age
    assert rows["Beta"].contact is not None
    assert rows["Beta"].contact.full_name == "Бетов Пётр"  # the older of two plain contacts
    assert rows["Gamma"].contact is None


def test_a_deleted_decision_maker_gives_way_to_the_next(people: dict[str, Any]) -> None:
    Contact.objects.filter(pk=people["boss"].pk).update(is_deleted=True)
    alpha = _by_name(people["hunter_a"])["Alpha"].contact
    assert alpha is not None
    assert (alpha.full_name, alpha.email, alpha.phone) == (
        "Закупкина Анна",
        "anna@example.ru",
        "+74951234567",
    )
    assert alpha.age == age_on(date(1990, 6, 15), viewer_today(people["hunter_a"]))
    assert alpha.gender_label in {"Female", "Женский"}


def test_age_counts_full_years_on_the_readers_own_date() -> None:
    assert age_on(date(1990, 6, 15), date(2026, 6, 14)) == 35
    assert age_on(date(1990, 6, 15), date(2026, 6, 15)) == 36
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


def test_viewer_today_is_the_readers_date_not_the_servers(
    people: dict[str, Any], settings: Any
) -> None:
    """At 20:30 UTC on 14 June it is already 15 June in Vladivostok: a contact born on
    15 June is a year older there than in Kaliningrad."""
    from freezegun import freeze_time

    far, near = people["hunter_a"], people["hunter_b"]
    far.time_zone, near.time_zone = "Asia/Vladivostok", "Europe/Kaliningrad"
    with freeze_time(datetime(2026, 6, 14, 20, 30, tzinfo=UTC)):
        assert viewer_today(far) == date(2026, 6, 15)
        assert viewer_today(near) == date(2026, 6, 14)
        assert age_on(date(1990, 6, 15), viewer_today(far)) == 36
        assert age_on(date(1990, 6, 15), viewer_today(near)) == 35


def test_a_contact_the_reader_may_not_see_is_not_shown(people: dict[str, Any]) -> None:
    """Alpha's decision makers belong to team B: hunter A sees Alpha's purchases and its
    plain contact, never team B's people; team B's hunter sees neither Alpha nor them."""
    b = people["hunter_b"]
    Contact.objects.filter(pk__in=[people["boss"].pk, people["buyer"].pk]).update(
        responsible=b, team=b.team
    )
    alpha = _by_name(people["hunter_a"])["Alpha"].contact
    assert alpha is not None
    assert alpha.full_name == "Первый Контакт"
    assert "Alpha" not in _by_name(b)
    director = _by_name(people["director"])["Alpha"].contact
    assert director is not None
    assert director.full_name == "Директоров Иван"


def test_decision_makers_of_a_card_the_reader_may_not_open_do_not_rank(
    people: dict[str, Any],
) -> None:
    """Alpha handed on to team B (its card is theirs), its people left with hunter A: the
    decision-maker profiles are the card's, so A's main contact is the first contact."""
    b = people["hunter_b"]
    Company.objects.filter(pk=people["c1"].pk).update(responsible=b, team=b.team)
    alpha = _by_name(people["hunter_a"])["Alpha"].contact
    assert alpha is not None
    assert (alpha.full_name, alpha.age) == ("Первый Контакт", None)


def test_one_clients_portfolio_carries_its_contact(people: dict[str, Any]) -> None:
    one = client_portfolio(actor=people["hunter_a"], company_id=people["c1"].pk)
    assert one.contact is not None
    assert one.contact.full_name == "Директоров Иван"
    prospect = Company.objects.create(
        name="Prospect", responsible=people["hunter_a"], team=people["team_a"]
    )
    _contact(prospect, "Будущий Клиент")
    figures = client_portfolio(actor=people["hunter_a"], company_id=prospect.pk)
    assert figures.contact is not None
    assert figures.contact.full_name == "Будущий Клиент"


def test_the_api_gives_the_contact_only_to_whom_may_see_it(
    people: dict[str, Any], bearer: Any
) -> None:
    b = people["hunter_b"]
    Contact.objects.filter(company=people["c2"]).update(responsible=b, team=b.team)
    items = {
        c["name"]: c
        for c in bearer(people["hunter_a"]).get("/api/v1/analytics/portfolio").json()["items"]
    }
    assert items["Alpha"]["contact"] == {
        "contact_id": people["boss"].pk,
        "full_name": "Директоров Иван",
        "position": "",
        "gender": "male",
        "email": "boss@example.ru",
        "phone": "",
        "birthday": None,
        "age": 52,
    }
    assert items["Beta"]["contact"] is None  # Beta's people are team B's
    one = bearer(people["director"]).get(
        "/api/v1/analytics/portfolio", {"company_id": people["c2"].pk}
    )
    assert one.json()["items"][0]["contact"]["full_name"] == "Бетов Пётр"


def test_the_page_and_its_export_show_the_contact(people: dict[str, Any]) -> None:
    Contact.objects.filter(pk=people["boss"].pk).update(is_deleted=True)
    client = Client()
    client.force_login(people["hunter_a"])
    page = client.get("/analytics/portfolio/").content.decode()
    assert f'href="/clients/contacts/{people["buyer"].pk}/"' in page
    assert "anna@example.ru" in page
    assert "+7 495 123-45-67" in page
    assert "15.06.1990" in page
    sheet = load_workbook(BytesIO(client.get("/analytics/portfolio/?export=xlsx").content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    alpha = next(r for r in rows if r[0] == "Alpha")
    cells = dict(zip(header, alpha, strict=True))
    assert cells["Контактное лицо"] == "Закупкина Анна"
    assert cells["E-mail"] == "anna@example.ru"
    assert str(cells["Телефон"]).endswith("+7 495 123-45-67")  # a leading quote: not a formula
    assert cells["Возраст"] == age_on(date(1990, 6, 15), viewer_today(people["hunter_a"]))
    gamma = next(r for r in rows if r[0] == "Gamma")
    assert gamma[header.index("Контактное лицо")] in ("", None)


def test_the_page_reads_the_contacts_in_a_fixed_number_of_queries(
    people: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(people["director"])
    client.get("/analytics/portfolio/")  # warm caches (roles, translations)
    with CaptureQueriesContext(connection) as before:
        client.get("/analytics/portfolio/")
    for company in (people["c3"], people["c4"], people["c5"]):
        for n in range(3):
            contact = _contact(company, f"Человек {n}", emails=[f"p{n}{company.pk}@example.ru"])
            DecisionMaker.objects.create(company=company, contact=contact, influence_level=n + 1)
    with CaptureQueriesContext(connection) as after:
        page = client.get("/analytics/portfolio/").content.decode()
    assert "Человек 2" in page
    assert len(after) == len(before)


@pytest.mark.parametrize("who", ["hunter_a", "hunter_b"])
def test_the_portfolio_endpoint_with_contacts_survives_the_fuzzer(
    people: dict[str, Any], who: str
) -> None:
    """Answers holding contacts (birth dates, ages, nulls) match the published schema."""
    operations, failures = fuzz_operations(people[who], "/analytics/portfolio")
    assert operations == 1
    assert not failures, "\n".join(failures)
