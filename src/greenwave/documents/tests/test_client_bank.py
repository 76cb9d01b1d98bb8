"""The client's bank details: kept by the documents app for a crm company, validated like our
legal entity's, edited from the company card, printed on the contract and the invoice."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm import services as crm_services
from greenwave.documents import services
from greenwave.documents.models import ClientBankAccount
from greenwave.documents.tests.test_generation import _text

pytestmark = pytest.mark.django_db

BANK = {
    "bank_name": "АО «Альфа-Банк»",
    "bik": "044525593",
    "corr_account": "30101810200000000593",
    "account": "40702810801300012345",
}


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_bank_details_go_into_the_contract_and_the_invoice(
    seller, deal, client_company, signatory, two_teams
) -> None:
    hunter = two_teams["hunter_a"]
    services.client_bank_account_set(actor=hunter, company=client_company, data=dict(BANK))
    contract = services.document_generate(actor=hunter, deal=deal, kind="contract", with_pdf=False)
    text = _text(contract)
    assert "Р/с 40702810801300012345 в АО «Альфа-Банк»" in text
    assert "К/с 30101810200000000593, БИК 044525593" in text
    invoice = services.document_generate(actor=hunter, deal=deal, kind="invoice", with_pdf=False)
    text = _text(invoice)
    assert "р/с 40702810801300012345 в АО «Альфа-Банк», к/с 30101810200000000593" in text
    assert "БИК 044525593" in text


def test_without_bank_details_the_lines_stay_out(
    seller, deal, client_company, signatory, two_teams
) -> None:
    contract = services.document_generate(
        actor=two_teams["hunter_a"], deal=deal, kind="contract", with_pdf=False
    )
    text = _text(contract)
    assert "Р/с 40702810938000012345" in text  # ours
    assert "К/с 30101810200000000593" not in text
    assert "None" not in text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bik", "123"),
        ("account", "40702810801300012346"),  # the control key does not match the BIK
        ("corr_account", "30101810400000000225"),  # another bank's
        ("bank_name", ""),
    ],
)
def test_bad_bank_details_are_refused_and_nothing_changes(
    client_company, two_teams, field, value
) -> None:
    hunter = two_teams["hunter_a"]
    services.client_bank_account_set(actor=hunter, company=client_company, data=dict(BANK))
    events_before = Event.objects.count()
    with pytest.raises(DomainError) as caught:
        services.client_bank_account_set(
            actor=hunter, company=client_company, data={**BANK, field: value}
        )
    assert caught.value.details["field"] == field
    kept = ClientBankAccount.objects.get(company=client_company)
    assert {f: getattr(kept, f) for f in BANK} == BANK
    assert Event.objects.count() == events_before


def test_saving_logs_the_change_once_and_clearing_removes(client_company, two_teams) -> None:
    hunter = two_teams["hunter_a"]
    services.client_bank_account_set(
        actor=hunter, company=client_company, data={**BANK, "bik": "04 45 25 593"}
    )
    assert ClientBankAccount.objects.get().bik == "044525593"
    logged = Event.objects.filter(activity="client_bank_account_set")
    assert logged.count() == 1
    assert logged.get().case_id == str(client_company.pk)
    services.client_bank_account_set(actor=hunter, company=client_company, data=dict(BANK))
    assert logged.count() == 1  # nothing changed, nothing logged
    services.client_bank_account_set(
        actor=hunter, company=client_company, data=dict.fromkeys(BANK, "")
    )
    assert not ClientBankAccount.objects.exists()
    assert logged.count() == 2


def test_another_team_cannot_see_or_change_them(client_company, two_teams, bearer) -> None:
    services.client_bank_account_set(
        actor=two_teams["hunter_a"], company=client_company, data=dict(BANK)
    )
    outsider = _login(two_teams["hunter_b"])
    assert outsider.get(f"/documents/clients/{client_company.pk}/bank/").status_code == 404
    edit = f"/documents/clients/{client_company.pk}/bank/edit/"
    assert outsider.post(edit, {**BANK, "bank_name": "X"}).status_code == 404
    api = bearer(two_teams["hunter_b"])
    url = f"/api/v1/companies/{client_company.pk}/bank-account"
    assert api.get(url).status_code == 404  # the company itself is out of sight
    assert api.put(url, {**BANK}, content_type="application/json").status_code == 404
    assert ClientBankAccount.objects.get().bank_name == BANK["bank_name"]


def test_the_card_and_the_edit_form_round_trip(client_company, two_teams) -> None:
    client = _login(two_teams["hunter_a"])
    card = client.get(f"/documents/clients/{client_company.pk}/bank/").content.decode()
    assert 'data-testid="edit-client-bank"' in card
    edit = f"/documents/clients/{client_company.pk}/bank/edit/"
    assert client.post(edit, dict(BANK)).status_code == 302
    saved = ClientBankAccount.objects.get()
    before = (saved.updated_at, Event.objects.count())
    page = client.get(edit)
    form = page.context["form"]
    untouched = {name: form[name].value() or "" for name in form.fields}
    assert client.post(edit, untouched).status_code == 302
    saved.refresh_from_db()
    assert (saved.updated_at, Event.objects.count()) == before
    card = client.get(f"/documents/clients/{client_company.pk}/bank/").content.decode()
    assert "40702810801300012345" in card
    bad = client.post(edit, {**BANK, "account": "123"})
    assert bad.status_code == 200
    assert "Расчётный счёт состоит из 20 цифр." in bad.content.decode()
    company_page = client.get(reverse("crm:company_detail", args=[client_company.pk]))
    assert company_page.status_code == 200
    assert f"/documents/clients/{client_company.pk}/bank/" in company_page.content.decode()


def test_the_api_reads_and_sets_them(client_company, two_teams, bearer) -> None:
    api = bearer(two_teams["hunter_a"])
    url = f"/api/v1/companies/{client_company.pk}/bank-account"
    empty = api.get(url).json()
    assert empty == {"company_id": client_company.pk, "is_set": False, **dict.fromkeys(BANK, "")}
    put = api.put(url, dict(BANK), content_type="application/json")
    assert put.status_code == 200
    assert put.json() == {"company_id": client_company.pk, "is_set": True, **BANK}
    assert api.get(url).json()["account"] == BANK["account"]
    bad = api.put(url, {**BANK, "bik": "1"}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["details"]["field"] == "bik"
    assert api.get(url).json()["bik"] == BANK["bik"]
    cleared = api.put(url, dict.fromkeys(BANK, ""), content_type="application/json")
    assert cleared.status_code == 200
    assert cleared.json()["is_set"] is False
    assert not ClientBankAccount.objects.exists()


def test_a_merge_moves_them_to_the_kept_client(client_company, two_teams) -> None:
    other = crm_services.company_create(
        actor=None,
        name="ООО «Ромашка» (дубль)",
        responsible=two_teams["hunter_a"],
        team=two_teams["team_a"],
    )
    services.client_bank_account_set(actor=None, company=other, data=dict(BANK))
    services.client_bank_account_merge(actor=None, source=other, target=client_company)
    assert ClientBankAccount.objects.get().company == client_company
