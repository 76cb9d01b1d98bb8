"""Duplicates by INN, phone, e-mail and similar name; merging keeps history and links."""

from __future__ import annotations

import pytest
from django.urls import reverse

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm import merging, selectors, services
from greenwave.crm.models import ClientProfile, Company, Contact

from .conftest import VALID_INN

pytestmark = pytest.mark.django_db


@pytest.fixture
def twin(two_teams, company_a) -> Company:
    """A second card of «Ромашка», entered by hand with a typo and a contact."""
    actor = two_teams["hunter_a"]
    twin = services.company_create(
        actor=actor,
        name="Ромашка ООО",
        region="Москва",
        email="info@romashka.ru",
        website="romashka.ru",
        tags=["vip"],
        custom_fields={"Доставка": "самовывоз"},
    )
    contact = services.contact_create(
        actor=actor, company=twin, full_name="Петров Пётр", phones=["+79161112233"]
    )
    services.decision_maker_add(actor=actor, company=twin, contact=contact, influence_level=5)
    services.client_profile_update(actor=actor, company=twin, industry_trends="Рост сетей")
    competitor = services.competitor_create(actor=actor, name="ПакЛайн")
    services.competitor_link(actor=actor, competitor=competitor, company=twin)
    return twin


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"name": "ООО «Ромашкa»"}, "name"),  # a Latin «a» at the end
        ({"name": "Ромашка, ООО"}, "name"),
        ({"name": "Ромашки"}, "name"),
        ({"phone": "8 (916) 111-22-33"}, "phone"),
        ({"email": "INFO@romashka.ru"}, "email"),
    ],
)
def test_look_alikes_are_found_by_phone_email_and_fuzzy_name(
    two_teams, twin, kwargs, reason
) -> None:
    found = selectors.company_find_duplicates(actor=two_teams["hunter_a"], **kwargs)
    assert twin.pk in {m.company.pk for m in found}
    assert all(reason in m.reasons for m in found if m.company.pk == twin.pk)


def test_unrelated_names_are_not_duplicates(two_teams, company_a) -> None:
    assert selectors.company_find_duplicates(actor=two_teams["hunter_a"], name="Лютик") == []
    assert selectors.company_find_duplicates(actor=two_teams["hunter_b"], name="Ромашка") == []


def test_create_form_offers_to_open_the_existing_company(two_teams, browser_of, company_a):
    client = browser_of(two_teams["hunter_a"])
    response = client.post(reverse("crm:company_create"), {"name": "Ромашка", "segment": "new"})
    assert response.status_code == 200
    assert response.context["duplicates"][0].company == company_a
    assert reverse("crm:company_detail", args=[company_a.pk]) in response.content.decode()
    assert Company.objects.count() == 1

    anyway = client.post(
        reverse("crm:company_create"),
        {"name": "Ромашка", "segment": "new", "allow_duplicate": "on"},
    )
    assert anyway.status_code == 302
    assert Company.objects.count() == 2


def test_merge_moves_everything_and_keeps_history(two_teams, company_a, twin) -> None:
    actor = two_teams["head_a"]
    twin_events = set(
        Event.objects.filter(case_type="company", case_id=str(twin.pk)).values_list("pk", flat=True)
    )
    contact = Contact.objects.get(company=twin)

    kept = services.company_merge(actor=actor, target=company_a, source=twin)

    assert kept.email == "info@romashka.ru"  # filled from the twin
    assert kept.region == "Москва"  # kept, not overwritten
    assert kept.tags == ["опт", "vip"]
    assert kept.custom_fields == {"Доставка": "самовывоз"}
    contact.refresh_from_db()
    assert contact.company == kept
    assert kept.decision_makers.get().contact == contact
    assert [p.competitor.name for p in kept.competitor_presence.all()] == ["ПакЛайн"]
    assert ClientProfile.objects.get(company=kept).industry_trends == "Рост сетей"
    twin.refresh_from_db()
    assert twin.merged_into == kept
    assert selectors.company_list(actor=actor).filter(pk=twin.pk).count() == 0

    history = {e.pk for e in selectors.company_history(actor=actor, company=kept)}
    assert twin_events <= history
    merged = Event.objects.get(activity="company_merged")
    assert merged.payload["contacts_moved"] == 1
    assert merged.payload["changes"]["email"] == ["", "info@romashka.ru"]
    assert Event.objects.filter(activity="company_merged_into", case_id=str(twin.pk)).exists()


def test_merge_calls_other_apps_handlers_in_the_same_transaction(
    two_teams, company_a, twin
) -> None:
    calls = []

    def handler(*, actor, source, target) -> None:
        calls.append((source.pk, target.pk))
        raise RuntimeError("deal move failed")

    merging.register_company_merge_handler("test", handler)
    try:
        with pytest.raises(RuntimeError):
            services.company_merge(actor=two_teams["head_a"], target=company_a, source=twin)
    finally:
        merging._HANDLERS.pop("test")
    assert calls == [(twin.pk, company_a.pk)]
    twin.refresh_from_db()
    assert twin.merged_into is None
    assert Contact.objects.get(full_name="Петров Пётр").company == twin
    assert not Event.objects.filter(activity="company_merged").exists()


def test_merge_is_refused_across_teams_and_to_itself(two_teams, company_a, company_b) -> None:
    with pytest.raises(DomainError) as exc:
        services.company_merge(actor=two_teams["head_a"], target=company_a, source=company_b)
    assert exc.value.status == 404
    with pytest.raises(DomainError):
        services.company_merge(actor=two_teams["head_a"], target=company_a, source=company_a)
    company_b.refresh_from_db()
    assert company_b.merged_into is None


def test_hunter_merges_only_own_clients(two_teams, company_a, twin) -> None:
    services.company_reassign(
        actor=two_teams["head_a"], company=twin, responsible=two_teams["head_a"]
    )
    with pytest.raises(DomainError) as exc:
        services.company_merge(actor=two_teams["hunter_a"], target=company_a, source=twin)
    assert exc.value.status == 403


def test_merge_through_the_card_and_the_old_link_redirects(
    two_teams, browser_of, company_a, twin
) -> None:
    client = browser_of(two_teams["head_a"])
    card = client.get(reverse("crm:company_detail", args=[company_a.pk]))
    assert twin in [m.company for m in card.context["duplicates"]]
    response = client.post(reverse("crm:company_merge", args=[company_a.pk]), {"source": twin.pk})
    assert response.status_code == 302
    old = client.get(reverse("crm:company_detail", args=[twin.pk]))
    assert old.status_code == 302
    assert old.url == reverse("crm:company_detail", args=[company_a.pk])


def test_merge_through_the_api(two_teams, bearer, company_a, twin) -> None:
    client = bearer(two_teams["head_a"])
    response = client.post(
        f"/api/v1/companies/{company_a.pk}/merge",
        {"source_id": twin.pk},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["email"] == "info@romashka.ru"
    assert client.get(f"/api/v1/companies/{twin.pk}").status_code == 404
    again = client.post(
        f"/api/v1/companies/{company_a.pk}/merge",
        {"source_id": twin.pk},
        content_type="application/json",
    )
    assert again.status_code == 404


def test_merged_inn_no_longer_blocks_a_new_card(two_teams, company_a) -> None:
    actor = two_teams["head_a"]
    twin = services.company_create(
        actor=actor, name="Ромашка-2", inn=VALID_INN, allow_duplicate=True
    )
    services.company_merge(actor=actor, target=twin, source=company_a)
    with pytest.raises(DomainError) as exc:
        services.company_create(actor=actor, name="Ромашка-3", inn=VALID_INN)
    assert exc.value.details["duplicates"] == [twin.pk]
