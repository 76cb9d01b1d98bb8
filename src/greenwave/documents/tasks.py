"""Background jobs of the documents app (django-tasks: the database queue or RQ in
production, run immediately in tests)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def make_pdf(version_id: int) -> None:
    services.document_pdf_convert(version_id=version_id)
