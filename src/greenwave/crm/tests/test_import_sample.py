"""The import page offers a sample file per kind: its columns are the ones the import maps by
name, and its example row passes the dry run and is imported — in either language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from greenwave.crm.models import Company, Contact, ImportKind
from greenwave.crm.services import import_rows
from greenwave.crm.tabular import read_table

from .test_import_export import check, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("kind", ImportKind.values)
def test_a_sample_file_maps_every_column_and_imports_its_row(
    two_teams, run_jobs, kind: str, language: str
) -> None:
    actor = two_teams["head_a"]
    actor.language = language
    actor.save(update_fields=["language"])
    client = Client()
    client.force_login(actor)
    page = client.get("/clients/import/").content.decode()
    assert f'href="/clients/import/sample/{kind}/"' in page

    response = client.get(f"/clients/import/sample/{kind}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert f"import-{kind}-sample.csv" in response["Content-Disposition"]
    content = response.content
    assert content.startswith("\ufeff".encode())
    table = read_table(content, f"sample-{kind}.csv")
    with translation.override(language):
        labels = [str(c.label) for c in import_rows.import_columns(kind)]
    assert table.headers == labels  # the reader's language, every column
    job = upload(actor, content, name="sample.csv", kind=kind)
    assert "" not in job.mapping.values()  # each column mapped by its name
    job = check(actor, job, job.mapping)
    assert (job.valid_rows, job.error_rows, job.errors) == (1, 0, [])
    job = run_jobs(actor, job)
    assert (job.status, job.created_count) == ("done", 1)
    if kind == ImportKind.COMPANIES:
        company = Company.objects.get(inn="7701234560")
        assert (company.size, company.source, company.segment) == ("small", "exhibition", "new")
        assert company.contacts.get().emails == ["ivanov@example.ru"]
    else:
        contact = Contact.objects.get()
        assert contact.emails == ["petrova@example.ru"]
        assert (contact.gender, contact.mailing_consent) == ("female", True)


def test_an_unknown_sample_kind_is_not_found(two_teams) -> None:
    client = Client()
    client.force_login(two_teams["head_a"])
    assert client.get("/clients/import/sample/deals/").status_code == 404
