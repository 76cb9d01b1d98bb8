"""The `import_csv` benchmark's file: what `make_contacts` writes imports through the import
page's services into exactly the rows the benchmark's COPY would store (a change of the demo
name generator once broke the file unnoticed until the benchmark ran)."""

from __future__ import annotations

from typing import Any

import pytest
from import_bench import _companies, _same_rows, _written, make_contacts

from greenwave.accounts import services as accounts
from greenwave.crm import selectors
from greenwave.crm import services as crm
from greenwave.crm.models import Contact, ImportStatus

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 (a test user's)


@pytest.mark.django_db
def test_the_benchmark_file_imports_into_the_rows_copy_would_write(
    django_capture_on_commit_callbacks: Any,
) -> None:
    team = accounts.team_create(actor=None, name="Team A")
    head = accounts.user_create(
        actor=None, username="head", password=PASSWORD, roles=["head_of_sales"], team=team
    )
    crm.company_create(actor=head, name="ООО «Стройресурс-Урал»", inn="7707083893")
    before = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    content, expected = make_contacts(12, companies=_companies(head), actor=head)

    with django_capture_on_commit_callbacks(execute=True):  # the queued tasks run here
        job = crm.import_upload(actor=head, kind="contacts", file_name="c.csv", content=content)
    job = selectors.import_get(actor=head, pk=job.pk)
    with django_capture_on_commit_callbacks(execute=True):
        job = crm.import_check(actor=head, job=job, mapping=dict(job.mapping))
    job = selectors.import_get(actor=head, pk=job.pk)
    assert (job.error_rows, job.duplicate_rows) == (0, 0), job.errors[:3]
    with django_capture_on_commit_callbacks(execute=True):
        crm.import_confirm(actor=head, job=job)
    job = selectors.import_get(actor=head, pk=job.pk)
    assert job.status == ImportStatus.DONE, job.message
    assert any(row[7] is not None for row in expected)  # some contacts work at the company
    _same_rows(_written(before), expected, 12)
