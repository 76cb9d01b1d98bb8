"""Company services: requisites are validated, every change is an event, duplicates refused."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm import selectors, services
from greenwave.crm.models import Company, Contact

from .conftest import VALID_INN, VALID_INN_IP, VALID_OGRN, VALID_OGRNIP, bad_checksum

pytestmark = pytest.mark.django_db


def test_company_is_created_with_normalised_requisites_and_an_event(two_teams) -> None:
    company = services.company_create(
        actor=two_teams["hunter_a"],
        name="ООО «Ромашка»",
        inn=f" {VALID_INN[:4]} {VALID_INN[4:]} ",
        kpp="7701 01 001",
        ogrn=VALID_OGRN,
        phone="8 (495) 123-45-67",
        email="Info@Romashka.RU",
    )

    assert company.inn == VALID_INN
    assert company.kpp == "770101001"
    assert company.phone == "+74951234567"
    assert company.email == "info@romashka.ru"
    assert company.responsible == two_teams["hunter_a"]
    assert company.team == two_teams["team_a"]
    event = Event.objects.get(case_type="company", case_id=str(company.pk))
    assert event.activity == "company_created"
    assert event.payload["after"]["inn"] == VALID_INN


def test_entrepreneur_has_12_digit_inn_and_15_digit_ogrnip(two_teams) -> None:
    company = services.company_create(
        actor=two_teams["hunter_a"], name="ИП Петров", inn=VALID_INN_IP, ogrn=VALID_OGRNIP
    )
    assert (company.inn, company.ogrn) == (VALID_INN_IP, VALID_OGRNIP)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"inn": bad_checksum(VALID_INN)}, "crm.invalid_inn", "inn"),
        ({"inn": "12345"}, "crm.invalid_inn", "inn"),
        ({"inn": VALID_INN, "ogrn": bad_checksum(VALID_OGRN)}, "crm.invalid_ogrn", "ogrn"),
        ({"inn": VALID_INN, "ogrn": VALID_OGRNIP}, "crm.invalid_ogrn", "ogrn"),
        ({"inn": VALID_INN_IP, "kpp": "770101001"}, "crm.invalid_kpp", "kpp"),
        ({"kpp": "12"}, "crm.invalid_kpp", "kpp"),
        ({"phone": "12345"}, "crm.invalid_phone", "phone"),
        ({"email": "not-an-email"}, "crm.invalid_email", "email"),
        ({"size": "gigantic"}, "crm.invalid_field", "size"),
    ],
)
def test_bad_requisites_are_refused_with_a_field_code_and_nothing_is_saved(
    two_teams, fields, code, field
) -> None:
    with pytest.raises(DomainError) as exc:
        services.company_create(actor=two_teams["hunter_a"], name="ООО «Тест»", **fields)

    assert exc.value.code == code
    assert exc.value.details["field"] == field
    assert not Company.objects.exists()
    assert not Event.objects.filter(case_type="company").exists()


def test_update_with_a_wrong_inn_changes_nothing(two_teams, company_a) -> None:
    with pytest.raises(DomainError):
        services.company_update(
            actor=two_teams["hunter_a"], company=company_a, name="Новое", inn="7701451230"
        )
    company_a.refresh_from_db()
    assert company_a.name == "ООО «Ромашка»"
    assert company_a.inn == VALID_INN
    assert not Event.objects.filter(activity="company_changed").exists()


def test_update_records_before_and_after(two_teams, company_a) -> None:
    services.company_update(
        actor=two_teams["hunter_a"], company=company_a, region="Тула", segment="current"
    )
    event = Event.objects.get(activity="company_changed")
    assert event.payload["changes"] == {
        "region": ["Москва", "Тула"],
        "segment": ["new", "current"],
    }
    assert event.actor_id == two_teams["hunter_a"].pk


def test_update_writes_only_the_changed_columns(two_teams, company_a) -> None:
    with CaptureQueriesContext(connection) as queries:
        services.company_update(actor=two_teams["hunter_a"], company=company_a, region="Тула")
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert '"region"' in updates[0]
    assert '"updated_at"' in updates[0]
    assert '"name"' not in updates[0]
    assert '"inn"' not in updates[0]


def test_update_that_changes_nothing_saves_nothing_and_records_no_event(
    two_teams, company_a
) -> None:
    updated_at = Company.objects.get(pk=company_a.pk).updated_at
    with CaptureQueriesContext(connection) as queries:
        services.company_update(
            actor=two_teams["hunter_a"], company=company_a, name=company_a.name, region="Москва"
        )
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert Company.objects.get(pk=company_a.pk).updated_at == updated_at
    assert not Event.objects.filter(activity="company_changed").exists()


def test_update_refuses_a_field_it_does_not_know(two_teams, company_a) -> None:
    fields = {"responsible_id": two_teams["hunter_b"].pk}
    with pytest.raises(TypeError):
        services.company_update(actor=two_teams["hunter_a"], company=company_a, **fields)
    assert Company.objects.get(pk=company_a.pk).responsible == two_teams["hunter_a"]


def test_duplicate_inn_is_refused_unless_allowed(two_teams, company_a) -> None:
    with pytest.raises(DomainError) as exc:
        services.company_create(actor=two_teams["hunter_a"], name="Ромашка 2", inn=VALID_INN)
    assert exc.value.code == "crm.duplicate"
    assert exc.value.details["duplicates"] == [company_a.pk]

    branch = services.company_create(
        actor=two_teams["hunter_a"], name="Ромашка филиал", inn=VALID_INN, allow_duplicate=True
    )
    assert branch.pk != company_a.pk


def test_duplicate_in_another_team_is_named_but_not_shown(two_teams, company_a) -> None:
    with pytest.raises(DomainError) as exc:
        services.company_create(actor=two_teams["hunter_b"], name="Ромашка", inn=VALID_INN)
    assert exc.value.details == {"field": "inn", "duplicates": [], "hidden": 1}


def test_find_duplicates_by_inn_phone_email_and_name(two_teams, company_a) -> None:
    services.contact_create(
        actor=two_teams["hunter_a"],
        company=company_a,
        full_name="Иванов Иван",
        emails=["ivanov@romashka.ru"],
    )
    actor = two_teams["hunter_a"]

    def reasons(**kwargs: str) -> list[str]:
        found = selectors.company_find_duplicates(actor=actor, **kwargs)
        return [r for match in found for r in match.reasons]

    assert reasons(inn=VALID_INN) == ["inn"]
    assert reasons(phone="+7 495 123 45 67") == ["phone"]
    assert reasons(email="IVANOV@romashka.ru") == ["email"]
    assert reasons(name="Ромашка ООО") == ["name"]
    assert reasons(inn="7707083893") == []
    assert selectors.company_find_duplicates(actor=two_teams["hunter_b"], inn=VALID_INN) == []


def test_reassign_moves_company_and_contacts_with_an_event(two_teams, company_a) -> None:
    contact = services.contact_create(
        actor=two_teams["hunter_a"], company=company_a, full_name="Иванов Иван"
    )
    services.company_reassign(
        actor=two_teams["director"], company=company_a, responsible=two_teams["hunter_b"]
    )

    company_a.refresh_from_db()
    contact.refresh_from_db()
    assert (company_a.responsible, company_a.team) == (
        two_teams["hunter_b"],
        two_teams["team_b"],
    )
    assert (contact.responsible, contact.team) == (two_teams["hunter_b"], two_teams["team_b"])
    event = Event.objects.get(activity="company_reassigned")
    assert event.payload["changes"]["team"] == ["Team A", "Team B"]
    assert set(event.links.values_list("object_type", "qualifier")) >= {
        ("user", "previous_responsible"),
        ("user", "responsible"),
        ("contact", "contact"),
    }
    assert selectors.company_list(actor=two_teams["hunter_a"]).count() == 0


def test_hunter_cannot_hand_a_client_to_another_team(two_teams, company_a) -> None:
    with pytest.raises(DomainError) as exc:
        services.company_reassign(
            actor=two_teams["hunter_a"], company=company_a, responsible=two_teams["hunter_b"]
        )
    assert exc.value.status in (403, 404)
    company_a.refresh_from_db()
    assert company_a.responsible == two_teams["hunter_a"]


def test_scoping_hunter_sees_own_team_head_of_department_sees_all(
    two_teams, company_a, company_b
) -> None:
    def names(user_key: str) -> set[str]:
        return {c.name for c in selectors.company_list(actor=two_teams[user_key])}

    assert names("hunter_a") == {"ООО «Ромашка»"}
    assert names("head_b") == {"АО «Южный ветер»"}
    assert names("director") == {"ООО «Ромашка»", "АО «Южный ветер»"}
    assert names("admin") == {"ООО «Ромашка»", "АО «Южный ветер»"}
    with pytest.raises(DomainError):
        selectors.company_get(actor=two_teams["hunter_a"], pk=company_b.pk)


def test_contact_phones_are_e164_and_a_bad_phone_saves_nothing(two_teams, company_a) -> None:
    contact = services.contact_create(
        actor=two_teams["hunter_a"],
        company=company_a,
        full_name="Петрова Мария",
        phones=["8 916 123-45-67", "+7 (916) 123 45 67", "+375 29 123-45-67"],
        emails=[" Maria@Example.RU "],
        messengers={"telegram": "@maria"},
    )
    assert contact.phones == ["+79161234567", "+375291234567"]
    assert contact.emails == ["maria@example.ru"]
    assert contact.team == two_teams["team_a"]

    with pytest.raises(DomainError) as exc:
        services.contact_create(actor=two_teams["hunter_a"], full_name="Сидоров", phones=["+7 123"])
    assert exc.value.code == "crm.invalid_phone"
    assert "+7 123" in exc.value.message
    assert Contact.objects.count() == 1


def test_contact_for_a_company_of_another_team_is_refused(two_teams, company_b) -> None:
    with pytest.raises(DomainError) as exc:
        services.contact_create(actor=two_teams["hunter_a"], company=company_b, full_name="X")
    assert exc.value.status == 404
    assert not Contact.objects.exists()


def test_decision_maker_profile_changes_are_kept_in_company_history(two_teams, company_a) -> None:
    actor = two_teams["hunter_a"]
    contact = services.contact_create(actor=actor, company=company_a, full_name="Иванов Пётр")
    dm = services.decision_maker_add(
        actor=actor,
        company=company_a,
        contact=contact,
        influence_level=4,
        personal_benefits="Премия",
        hobbies="Рыбалка",
    )
    services.decision_maker_update(actor=actor, decision_maker=dm, attitude="supporter")

    history = list(selectors.company_history(actor=actor, company=company_a))
    activities = [e.activity for e in history]
    assert activities[:3] == ["decision_maker_changed", "decision_maker_added", "contact_created"]
    assert history[0].payload["changes"] == {"attitude": ["neutral", "supporter"]}


def test_decision_maker_must_work_at_the_company_and_have_a_sane_profile(
    two_teams, company_a
) -> None:
    actor = two_teams["hunter_a"]
    stranger = services.contact_create(actor=actor, full_name="Чужой")
    contact = services.contact_create(actor=actor, company=company_a, full_name="Свой")
    with pytest.raises(DomainError) as exc:
        services.decision_maker_add(actor=actor, company=company_a, contact=stranger)
    assert exc.value.code == "crm.wrong_company"
    with pytest.raises(DomainError) as exc:
        services.decision_maker_add(
            actor=actor, company=company_a, contact=contact, influence_level=9
        )
    assert exc.value.details["field"] == "influence_level"
    assert not company_a.decision_makers.exists()


def test_search_finds_russian_names_whatever_the_case(two_teams, company_a) -> None:
    from greenwave.core.listing import ListQuery

    def found(q: str) -> list[str]:
        query = ListQuery(q=q, sort="name")
        return [c.name for c in selectors.company_list(actor=two_teams["hunter_a"], query=query)]

    assert found("ромашк") == ["ООО «Ромашка»"]
    assert found("РОМАШК") == ["ООО «Ромашка»"]
    assert found(VALID_INN[:6]) == ["ООО «Ромашка»"]
    assert found("лютик") == []


@pytest.mark.parametrize("name", ["\u200b\u200b", "\ufeff", " \u200d\u2060 "])
def test_a_company_or_contact_named_with_invisible_characters_only_is_refused(
    two_teams, name
) -> None:
    # Regression: str.strip() keeps zero-width characters, so such a name passed the check.
    with pytest.raises(DomainError) as exc:
        services.company_create(actor=two_teams["hunter_a"], name=name)
    assert exc.value.details == {"field": "name"}
    company = services.company_create(actor=two_teams["hunter_a"], name="\u200bРомашка")
    assert company.name == "Ромашка"
    with pytest.raises(DomainError):
        services.contact_create(actor=two_teams["hunter_a"], company=company, full_name=name)
    assert Company.objects.count() == 1
