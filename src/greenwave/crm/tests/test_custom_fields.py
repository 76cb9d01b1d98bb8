"""Custom fields of the company card: an administrator sets up the list, the card's form shows
one typed input per field, validates it and saves values that round-trip unchanged."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from greenwave.core.models import Event
from greenwave.crm import services
from greenwave.crm.forms import CompanyForm
from greenwave.crm.models import Company, CustomField

pytestmark = pytest.mark.django_db


@pytest.fixture
def custom_fields(two_teams) -> list[CustomField]:
    admin = two_teams["admin"]
    return [
        services.custom_field_create(
            actor=admin,
            name="Доставка",
            kind="choice",
            choices=["самовывоз", "курьер"],
            required=True,
        ),
        services.custom_field_create(actor=admin, name="Объём склада, м²", kind="number"),
        services.custom_field_create(actor=admin, name="Дата аудита", kind="date"),
        services.custom_field_create(actor=admin, name="Есть тендерный отдел", kind="yes_no"),
        services.custom_field_create(actor=admin, name="Куратор у клиента", kind="text"),
    ]


@pytest.fixture
def company(two_teams, custom_fields) -> Company:
    return services.company_create(
        actor=two_teams["hunter_a"],
        name="ООО «Ромашка»",
        custom_fields={
            "Доставка": "курьер",
            "Объём склада, м²": 1250.5,
            "Дата аудита": "2026-12-25",
            "Есть тендерный отдел": True,
            "Куратор у клиента": "Ольга",
            "Старое поле": "из импорта",  # no longer set up: kept untouched
        },
    )


def _as_browser_submits(form: CompanyForm) -> dict[str, str]:
    """The POST a browser sends for the form as rendered, nothing touched."""
    data: dict[str, str] = {}
    for bound in form:
        value = bound.value()
        if bound.widget_type == "checkbox":
            if value:
                data[bound.html_name] = "on"
        elif bound.widget_type == "select":
            data[bound.html_name] = "" if value is None else str(value)
        elif value is not None:
            data[bound.html_name] = str(bound.field.widget.format_value(value) or "")
    return data


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_form_has_one_typed_input_per_field_not_a_json_box(two_teams, company) -> None:
    page = (
        _client(two_teams["hunter_a"])
        .get(f"/clients/companies/{company.pk}/edit/")
        .content.decode()
    )
    assert 'name="custom_fields"' not in page
    assert re.search(r'<input type="date" name="custom_2" value="2026-12-25"', page)
    assert re.search(r'<input type="number" name="custom_1" value="1250.5"', page)
    assert re.search(r'<input type="checkbox" name="custom_3"[^>]* checked', page)
    assert '<option value="курьер" selected>' in page


def test_saving_without_touching_changes_nothing(two_teams, company) -> None:
    before = dict(company.custom_fields)
    events_before = Event.objects.count()
    data = _as_browser_submits(CompanyForm(initial=CompanyForm.initial_for(company)))
    response = _client(two_teams["hunter_a"]).post(f"/clients/companies/{company.pk}/edit/", data)
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.custom_fields == before
    assert Event.objects.count() == events_before  # not even a «changed» event


def test_edited_values_are_stored_as_typed_json(two_teams, company) -> None:
    data = _as_browser_submits(CompanyForm(initial=CompanyForm.initial_for(company)))
    data.update(
        {"custom_0": "самовывоз", "custom_1": "300", "custom_2": "2027-01-15", "custom_4": ""}
    )
    del data["custom_3"]  # unticked
    _client(two_teams["hunter_a"]).post(f"/clients/companies/{company.pk}/edit/", data)
    company.refresh_from_db()
    assert company.custom_fields == {
        "Доставка": "самовывоз",
        "Объём склада, м²": 300,
        "Дата аудита": "2027-01-15",
        "Есть тендерный отдел": False,
        "Старое поле": "из импорта",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [("custom_1", "много"), ("custom_2", "25.12.2026x"), ("custom_0", "почтой"), ("custom_0", "")],
)
def test_a_bad_value_is_refused_and_changes_nothing(two_teams, company, field, value) -> None:
    before = dict(company.custom_fields)
    data = _as_browser_submits(CompanyForm(initial=CompanyForm.initial_for(company)))
    data[field] = value
    response = _client(two_teams["hunter_a"]).post(f"/clients/companies/{company.pk}/edit/", data)
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    company.refresh_from_db()
    assert company.custom_fields == before


def test_only_an_administrator_sets_up_the_fields(two_teams) -> None:
    assert _client(two_teams["hunter_a"]).get("/clients/settings/custom-fields/").status_code == 403
    admin = _client(two_teams["admin"])
    response = admin.post(
        "/clients/settings/custom-fields/",
        {"name": "Канал", "kind": "choice", "choices": "опт\nрозница\n", "order": 1},
    )
    assert response.status_code == 302
    field = CustomField.objects.get()
    assert field.choices == ["опт", "розница"]
    refused = admin.post(
        "/clients/settings/custom-fields/", {"name": "Пусто", "kind": "choice", "order": 0}
    )
    assert refused.status_code == 200
    assert CustomField.objects.count() == 1
    admin.post(f"/clients/settings/custom-fields/{field.pk}/delete/")
    assert not CustomField.objects.exists()
