"""The sort keys copied onto the rows (issue #23, 3b): `Contact.company_name` and
`Company.responsible_last_name`, kept by the triggers of crm migration 0014.

Each trigger has a test that changes what it copies and reads the key (each fails with that
trigger dropped); the list sorts by the keys give the order the joins gave, ties and NULLs
included; the triggers are there after `migrate` (on SQLite a migration rebuilding one of the
tables drops them); nothing but the triggers can write the keys.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from greenwave.accounts import services as account_services
from greenwave.crm import schemas, services
from greenwave.crm.forms import CompanyCreateForm, CompanyForm, ContactForm
from greenwave.crm.models import Company, Contact
from greenwave.datagen.generator import Config
from greenwave.datagen.loader import generate_into_database

pytestmark = pytest.mark.django_db

TRIGGERS = {
    ("crm_contact_company_name_ins", "crm_contact"),
    ("crm_contact_company_name_upd", "crm_contact"),
    ("crm_company_name_spread", "crm_company"),
    ("crm_company_responsible_last_name_ins", "crm_company"),
    ("crm_company_responsible_last_name_upd", "crm_company"),
    ("crm_user_last_name_spread", "accounts_user"),
}
KEYS = ("company_name", "responsible_last_name")


def _contact_key(contact: Contact) -> str | None:
    return Contact.objects.filter(pk=contact.pk).values_list("company_name", flat=True).get()


def _company_key(company: Company) -> str | None:
    return (
        Company.objects.filter(pk=company.pk).values_list("responsible_last_name", flat=True).get()
    )


def _triggers() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Enabled always ('A'): they fire under `session_replication_role = replica` too,
            # which the dataset generator sets.
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgenabled = 'A'"
            )
        else:
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        return set(cursor.fetchall())


def test_the_triggers_are_there_after_migrate() -> None:
    """The test database is made by `migrate`: a later migration that rebuilds `crm_contact`,
    `crm_company` or `accounts_user` (SQLite's `_remake_table` on most field changes) drops
    their triggers, and this test says so — that migration must create them again."""
    assert _triggers() >= TRIGGERS


# A contact's key: on insert (crm_contact_company_name_ins) ...


def test_a_new_contact_takes_its_company_name(company_a: Company, two_teams: Any) -> None:
    hunter = two_teams["hunter_a"]
    contact = services.contact_create(actor=hunter, full_name="Иван", company=company_a)
    assert _contact_key(contact) == "ООО «Ромашка»"
    alone = services.contact_create(actor=hunter, full_name="Пётр")
    assert _contact_key(alone) is None
    many = Contact.objects.bulk_create(
        Contact(full_name=f"К{i}", company=company_a, responsible=hunter) for i in range(3)
    )
    assert [_contact_key(c) for c in many] == ["ООО «Ромашка»"] * 3
    forged = Contact.objects.create(
        full_name="Ф", company=company_a, company_name="Я", responsible=hunter
    )
    assert _contact_key(forged) == "ООО «Ромашка»"
    forged_alone = Contact.objects.create(full_name="Ф2", company_name="Я", responsible=hunter)
    assert _contact_key(forged_alone) is None


# ... on a change of its company or of the key (crm_contact_company_name_upd) ...


def test_a_contact_moved_to_another_company_takes_its_name(
    company_a: Company, company_b: Company, two_teams: Any
) -> None:
    director = two_teams["director"]
    contact = services.contact_create(actor=director, full_name="Иван", company=company_a)
    services.contact_update(actor=director, contact=contact, company=company_b)
    assert _contact_key(contact) == "АО «Южный ветер»"
    services.contact_update(actor=director, contact=contact, company=None)
    assert _contact_key(contact) is None
    Contact.objects.filter(pk=contact.pk).update(company=company_a)
    assert _contact_key(contact) == "ООО «Ромашка»"
    Contact.objects.filter(pk=contact.pk).update(company_name="Я")
    assert _contact_key(contact) == "ООО «Ромашка»"


def test_a_deleted_or_merged_company_leaves_its_contacts_keys_right(
    company_a: Company, company_b: Company, two_teams: Any
) -> None:
    director = two_teams["director"]
    kept = services.contact_create(actor=director, full_name="Иван", company=company_a)
    services.company_merge(actor=director, target=company_b, source=company_a)
    assert _contact_key(kept) == "АО «Южный ветер»"
    gone = services.company_create(actor=director, name="ООО «Лютик»")
    left = services.contact_create(actor=director, full_name="Пётр", company=gone)
    gone.delete()  # the contact's link is emptied (SET_NULL, an UPDATE by Django)
    assert _contact_key(left) is None


# ... on its company's rename (crm_company_name_spread).


def test_a_renamed_company_renames_its_contacts_keys(company_a: Company, two_teams: Any) -> None:
    hunter = two_teams["hunter_a"]
    contacts = [services.contact_create(actor=hunter, full_name=n, company=company_a) for n in "АБ"]
    services.company_update(actor=hunter, company=company_a, name="ООО «Лютик»")
    assert [_contact_key(c) for c in contacts] == ["ООО «Лютик»"] * 2
    Company.objects.filter(pk=company_a.pk).update(name="Ромашка-2")
    assert [_contact_key(c) for c in contacts] == ["Ромашка-2"] * 2


# A company's key: on insert (crm_company_responsible_last_name_ins) ...


def test_a_new_company_takes_its_responsibles_surname(make_user: Any) -> None:
    user = make_user(last_name="Петров")
    company = services.company_create(actor=user, name="ООО «Лютик»")
    assert _company_key(company) == "Петров"
    many = Company.objects.bulk_create(Company(name=f"К{i}", responsible=user) for i in range(3))
    assert [_company_key(c) for c in many] == ["Петров"] * 3
    forged = Company.objects.create(name="Ф", responsible=user, responsible_last_name="Я")
    assert _company_key(forged) == "Петров"


# ... on a change of responsible or of the key (crm_company_responsible_last_name_upd) ...


def test_a_company_handed_over_takes_the_new_responsibles_surname(
    company_a: Company, two_teams: Any, make_user: Any
) -> None:
    new = make_user(roles=["hunter"], team=two_teams["team_a"], last_name="Сидорова")
    services.company_reassign(actor=two_teams["head_a"], company=company_a, responsible=new)
    assert _company_key(company_a) == "Сидорова"
    Company.objects.filter(pk=company_a.pk).update(responsible=two_teams["hunter_b"])
    assert _company_key(company_a) == two_teams["hunter_b"].last_name
    Company.objects.filter(pk=company_a.pk).update(responsible_last_name="Я")
    assert _company_key(company_a) == two_teams["hunter_b"].last_name


# ... on the responsible's change of surname (crm_user_last_name_spread).


def test_a_user_changing_surname_changes_their_companies_keys(
    company_a: Company, two_teams: Any
) -> None:
    hunter = two_teams["hunter_a"]
    other = services.company_create(actor=hunter, name="ООО «Лютик»")
    account_services.user_update(actor=None, user=hunter, last_name="Кузнецова")
    assert [_company_key(company_a), _company_key(other)] == ["Кузнецова"] * 2
    type(hunter).objects.filter(pk=hunter.pk).update(last_name="")
    assert _company_key(company_a) == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and replication roles")
def test_copy_and_a_replica_session_keep_the_keys(company_a: Company, two_teams: Any) -> None:
    """The import writes contacts by COPY; the dataset generator writes with
    `session_replication_role = replica` (as a superuser), which skips ordinary triggers."""
    hunter = two_teams["hunter_a"]
    with connection.cursor() as cursor:
        raw = cursor.cursor
        columns = "full_name, company_id, responsible_id, phones, emails, messengers, position"
        copy_sql = f"COPY crm_contact ({columns}, notes, gender, mailing_consent, search_text, "
        copy_sql += "is_deleted, created_at, updated_at) FROM STDIN"
        with raw.copy(copy_sql) as copy:
            row = ["Копия", company_a.pk, hunter.pk, "[]", "[]", "{}", "", "", "", False, "", False]
            copy.write_row([*row, "now", "now"])
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        if superuser:
            cursor.execute("SET LOCAL session_replication_role = replica")
        replica = Contact.objects.create(full_name="Реплика", company=company_a, responsible=hunter)
        company = Company.objects.create(name="Р", responsible=hunter)
        if superuser:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    copied = Contact.objects.get(full_name="Копия")
    assert _contact_key(copied) == "ООО «Ромашка»"
    assert _contact_key(replica) == "ООО «Ромашка»"
    assert _company_key(company) == hunter.last_name


# The order: the same as the joins gave, ties and NULLs included.


@pytest.fixture
def tied_clients(two_teams: Any, make_user: Any) -> dict[str, Any]:
    """Companies with equal, empty-surnamed and case-differing names, contacts with equal
    names, at equal companies and without one."""
    team = two_teams["team_a"]
    same = [make_user(roles=["hunter"], team=team, last_name="Иванов") for _ in range(2)]
    blank = make_user(roles=["hunter"], team=team, last_name="")
    lower = make_user(roles=["hunter"], team=team, last_name="иванов")
    owners = [*same, blank, lower, two_teams["hunter_a"]]
    names = ["Альфа", "Альфа", "альфа", "Бета", "Ёлка", "Alpha", "Альфа"]
    companies = [
        services.company_create(actor=owners[i % len(owners)], name=name)
        for i, name in enumerate(names)
    ]
    people = ["Анна", "Анна", "Борис", "анна"]
    for i, company in enumerate([*companies, None, None, *companies[:3]]):
        owner = owners[i % len(owners)]
        services.contact_create(actor=owner, full_name=people[i % len(people)], company=company)
    return {"companies": companies}


@pytest.mark.parametrize("descending", [False, True])
def test_the_key_sorts_give_the_join_order(tied_clients: Any, descending: bool) -> None:
    def ids(qs: Any, *fields: str) -> list[int]:
        order = [f"-{f}" if descending else f for f in (*fields, "pk")]
        return list(qs.order_by(*order).values_list("pk", flat=True))

    contacts = Contact.objects.all()
    assert ids(contacts, "company_name", "full_name") == ids(contacts, "company__name", "full_name")
    assert contacts.filter(company_name__isnull=True).count() == 2
    companies = Company.objects.all()
    assert ids(companies, "responsible_last_name", "name") == ids(
        companies, "responsible__last_name", "name"
    )


def _page_statement(queries: CaptureQueriesContext, model: Any) -> str:
    """The statement reading the list's page (sorted, from the model's table)."""
    return next(
        q["sql"]
        for q in queries.captured_queries
        if f'FROM "{model._meta.db_table}"' in q["sql"] and "ORDER BY" in q["sql"]
    )


@pytest.mark.parametrize(
    ("kind", "sort", "join_order"),
    [
        ("contacts", "company", ("company__name", "full_name", "pk")),
        ("contacts", "-company", ("-company__name", "-full_name", "-pk")),
        ("companies", "responsible", ("responsible__last_name", "name", "pk")),
        ("companies", "-responsible", ("-responsible__last_name", "-name", "-pk")),
    ],
)
def test_the_api_lists_sort_as_the_joins_did(
    tied_clients: Any, two_teams: Any, bearer: Any, kind: str, sort: str, join_order: Any
) -> None:
    model = Contact if kind == "contacts" else Company
    api = bearer(two_teams["director"])
    with CaptureQueriesContext(connection) as queries:
        page = api.get(f"/api/v1/{kind}?sort={sort}&page_size=100").json()
    expected = list(
        model.objects.filter(is_deleted=False).order_by(*join_order).values_list("pk", flat=True)
    )
    assert [item["id"] for item in page["items"]] == expected
    # The page's statement sorts by the row's own columns, through no join.
    statement = _page_statement(queries, model)
    order_by = statement.rsplit("ORDER BY", 1)[1]
    key = "company_name" if kind == "contacts" else "responsible_last_name"
    assert order_by.lstrip().startswith(f'"{model._meta.db_table}"."{key}"'), order_by
    assert set(re.findall(r'"(\w+)"\.', order_by)) == {model._meta.db_table}, order_by


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL plan")
@pytest.mark.parametrize(
    ("kind", "sort", "index"),
    [
        ("contacts", "company", "crm_contact_company_sort_idx"),
        ("contacts", "-company", "crm_contact_company_sort_idx"),
        ("companies", "responsible", "crm_company_resp_sort_idx"),
        ("companies", "-responsible", "crm_company_resp_sort_idx"),
    ],
)
def test_the_key_sorts_read_their_index(
    tied_clients: Any, two_teams: Any, bearer: Any, kind: str, sort: str, index: str
) -> None:
    """With sorting made dear, the page statement is read in order from the partial index:
    its ORDER BY is the index's columns and its WHERE implies the index's condition."""
    api = bearer(two_teams["director"])
    with CaptureQueriesContext(connection) as queries:
        api.get(f"/api/v1/{kind}?sort={sort}")
    statement = _page_statement(queries, Contact if kind == "contacts" else Company)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + statement)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan
    assert "Sort Key" not in plan, plan


# Nothing but the triggers writes the keys.


def test_the_keys_are_in_no_form_schema_or_page(
    company_a: Company, two_teams: Any, bearer: Any, browser_of: Any
) -> None:
    for schema in (
        schemas.CompanyOut,
        schemas.CompanyIn,
        schemas.CompanyPatch,
        schemas.ContactOut,
        schemas.ContactIn,
        schemas.ContactPatch,
    ):
        assert not set(KEYS) & set(schema.model_fields), schema
    for form in (CompanyForm, CompanyCreateForm, ContactForm):
        assert not set(KEYS) & set(form.base_fields), form
    assert not any(f.editable for f in (Contact._meta.get_field(k) for k in KEYS[:1]))
    assert not Company._meta.get_field("responsible_last_name").editable
    hunter = two_teams["hunter_a"]
    api = bearer(hunter)
    made = api.post(
        "/api/v1/contacts",
        {"full_name": "Иван", "company_id": company_a.pk, "company_name": "Я"},
        content_type="application/json",
    )
    if made.status_code == 201:  # an unknown field ignored: the key is still the company's
        assert _contact_key(Contact.objects.get(pk=made.json()["id"])) == "ООО «Ромашка»"
    else:
        assert made.status_code in (400, 422), made.content
    patched = api.patch(
        f"/api/v1/companies/{company_a.pk}",
        {"responsible_last_name": "Я"},
        content_type="application/json",
    )
    assert patched.status_code in (200, 400, 422)
    assert _company_key(company_a) == hunter.last_name
    contact = services.contact_create(actor=hunter, full_name="Иван", company=company_a)
    for url in (
        reverse("crm:contact_detail", args=[contact.pk]),
        reverse("crm:contact_list") + "?sort=company",
        reverse("crm:company_list") + "?sort=responsible",
    ):
        page = browser_of(hunter).get(url).content.decode()
        assert "company_name" not in page
        assert "responsible_last_name" not in page


def test_a_generated_dataset_has_right_keys() -> None:
    """The dataset generator writes companies and contacts by COPY (PostgreSQL, in a replica
    session as a superuser) or bulk inserts, and hands clients over by bulk updates: their
    keys are what the joins read."""
    generate_into_database(Config(deals=30, seed=3, chunk=500), rebuild_indexes=False)
    contacts = Contact.objects.values_list("company_name", "company__name")
    companies = Company.objects.values_list("responsible_last_name", "responsible__last_name")
    assert len(contacts) > 10
    assert len(companies) > 5
    assert [key for key, name in contacts if key != name] == []
    assert [key for key, name in companies if key != name] == []
