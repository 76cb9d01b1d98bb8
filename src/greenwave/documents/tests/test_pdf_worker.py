"""The PDF is made by the worker, not in the request: generation queues it, the job converts
it (or keeps why it could not), the page shows the state and polls until it is ready, a
forgotten or stalled job is queued again. Tests run django-tasks' immediate backend, so a
task runs when its transaction's on-commit callbacks run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from greenwave.core.models import Event
from greenwave.documents import events, rendering, services
from greenwave.documents.models import DocumentVersion, PdfStatus

pytestmark = pytest.mark.django_db

FAKE_PDF = b"%PDF-1.4 made by the fake converter"


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def converter(monkeypatch):
    """LibreOffice replaced by a recorder (its real run is `test_libreoffice_makes_a_real_pdf`)."""
    calls: list[bytes] = []

    def convert(data: bytes, **kwargs) -> bytes:
        calls.append(data)
        return FAKE_PDF

    monkeypatch.setattr(rendering, "convert_to_pdf", convert)
    return calls


def _generate(deal, two_teams, capture, *, execute: bool):
    with capture(execute=execute) as callbacks:
        document = services.document_generate(actor=two_teams["hunter_a"], deal=deal, kind="act")
    return document, callbacks


def test_generating_only_queues_the_pdf(
    seller, deal, two_teams, converter, django_capture_on_commit_callbacks
) -> None:
    document, callbacks = _generate(
        deal, two_teams, django_capture_on_commit_callbacks, execute=False
    )
    version = document.versions.get()
    assert version.pdf_status == PdfStatus.QUEUED
    assert not version.pdf
    assert converter == []  # nothing converted inside the request
    assert len(callbacks) == 1  # the job goes to the queue once the version is committed


def test_the_worker_job_makes_the_pdf_and_logs_it(
    seller, deal, two_teams, converter, django_capture_on_commit_callbacks
) -> None:
    document, _ = _generate(deal, two_teams, django_capture_on_commit_callbacks, execute=True)
    version = document.versions.get()
    assert version.pdf_status == PdfStatus.READY
    assert version.pdf_error == ""
    with version.pdf.open("rb") as handle:
        assert handle.read() == FAKE_PDF
    assert len(converter) == 1
    assert converter[0][:2] == b"PK"
    ready = Event.objects.get(activity=events.DOCUMENT_PDF_READY)
    assert ready.case_id == str(document.pk)
    assert ready.payload["version"] == 1
    # A second task of the same version (a requeue raced the first) converts nothing.
    assert services.document_pdf_convert(version_id=version.pk) == PdfStatus.READY
    assert len(converter) == 1


def test_libreoffice_makes_a_real_pdf(
    seller, deal, two_teams, django_capture_on_commit_callbacks
) -> None:
    if rendering.soffice_path() is None:
        pytest.skip("LibreOffice is not installed here (make system-deps installs it)")
    document, _ = _generate(deal, two_teams, django_capture_on_commit_callbacks, execute=True)
    version = document.versions.get()
    assert version.pdf_status == PdfStatus.READY, version.pdf_error
    with version.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_a_failed_conversion_keeps_its_reason_and_can_be_tried_again(
    seller, deal, two_teams, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    def broken(data: bytes, **kwargs) -> bytes:
        raise rendering.PdfUnavailableError("PDF conversion took longer than 90 s and was stopped.")

    monkeypatch.setattr(rendering, "convert_to_pdf", broken)
    document, _ = _generate(deal, two_teams, django_capture_on_commit_callbacks, execute=True)
    version = document.versions.get()
    assert version.pdf_status == PdfStatus.FAILED
    assert "longer than 90 s" in version.pdf_error
    assert not version.pdf
    failed = Event.objects.get(activity=events.DOCUMENT_PDF_FAILED)
    assert "longer than 90 s" in failed.payload["reason"]

    client = _login(two_teams["hunter_a"])
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert 'data-pdf-status="failed"' in page
    assert "longer than 90 s" in page
    assert 'data-testid="pdf-retry"' in page
    assert "every 2s" not in page  # nothing to wait for

    monkeypatch.setattr(rendering, "convert_to_pdf", lambda data, **kw: FAKE_PDF)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/documents/{document.pk}/pdf/?v=1")
    assert answer.status_code == 200
    version.refresh_from_db()
    assert version.pdf_status == PdfStatus.READY
    assert version.pdf_error == ""


def test_an_unexpected_crash_is_a_failure_with_a_reason(
    seller, deal, two_teams, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    def crash(data: bytes, **kwargs) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(rendering, "convert_to_pdf", crash)
    document, _ = _generate(deal, two_teams, django_capture_on_commit_callbacks, execute=True)
    version = document.versions.get()
    assert version.pdf_status == PdfStatus.FAILED
    assert "disk full" in version.pdf_error


def test_without_libreoffice_the_version_says_why(
    seller, deal, two_teams, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setattr(rendering.shutil, "which", lambda name: None)
    document, _ = _generate(deal, two_teams, django_capture_on_commit_callbacks, execute=True)
    version = document.versions.get()
    assert version.pdf_status == PdfStatus.FAILED
    assert not version.pdf
    assert "LibreOffice" in version.pdf_error


def test_the_page_polls_while_the_pdf_is_on_its_way(
    seller, deal, two_teams, converter, django_capture_on_commit_callbacks
) -> None:
    document, callbacks = _generate(
        deal, two_teams, django_capture_on_commit_callbacks, execute=False
    )
    client = _login(two_teams["hunter_a"])
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert 'data-pdf-status="queued"' in page
    assert 'hx-trigger="every 2s"' in page
    assert f"/documents/{document.pk}/pdf/?v=1&place=page" in page
    section = client.get(f"/documents/deals/{deal.pk}/").content.decode()
    assert 'data-testid="pdf-pending"' in section
    # The download says it is coming instead of converting in the request.
    early = client.get(f"/documents/{document.pk}/download/?format=pdf", follow=True)
    assert "PDF готовится" in early.content.decode()  # the page language is Russian
    assert converter == []

    callbacks[0]()  # the worker runs the job
    poll = client.get(f"/documents/{document.pk}/pdf/?v=1&place=page").content.decode()
    assert 'data-pdf-status="ready"' in poll
    assert "every 2s" not in poll  # polling stops
    assert 'data-testid="pdf-preview"' in poll
    download = client.get(f"/documents/{document.pk}/download/?format=pdf")
    assert download.status_code == 200
    assert download.content == FAKE_PDF
    api = client.get(f"/api/v1/documents/{document.pk}").json()
    assert api["pdf_status"] == "ready"
    assert api["files"]["pdf"].endswith("format=pdf&version=1")


def test_a_version_without_pdf_is_queued_when_asked_for(
    seller, deal, two_teams, converter, django_capture_on_commit_callbacks
) -> None:
    document = services.document_generate(
        actor=two_teams["hunter_a"], deal=deal, kind="act", with_pdf=False
    )
    version = document.versions.get()
    assert version.pdf_status == PdfStatus.NONE
    client = _login(two_teams["hunter_a"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = client.get(f"/api/v1/documents/{document.pk}/download?format=pdf")
    assert answer.status_code == 409
    assert answer.json()["code"] == "documents.pdf_unavailable"
    version.refresh_from_db()
    assert version.pdf_status == PdfStatus.QUEUED
    assert len(callbacks) == 1
    outsider = _login(two_teams["hunter_b"])
    assert outsider.get(f"/documents/{document.pk}/pdf/?v=1").status_code == 404
    assert outsider.post(f"/documents/{document.pk}/pdf/?v=1").status_code == 404


def test_forgotten_and_stalled_jobs_are_queued_again(
    seller, deal, two_teams, converter, django_capture_on_commit_callbacks
) -> None:
    first, _ = _generate(deal, two_teams, django_capture_on_commit_callbacks, execute=False)
    second = services.document_generate(
        actor=two_teams["hunter_a"], deal=deal, kind="quote", with_pdf=False
    )
    forgotten = first.versions.get()
    stalled = second.versions.get()
    long_ago = timezone.now() - timedelta(hours=1)
    DocumentVersion.objects.filter(pk=forgotten.pk).update(updated_at=long_ago)
    DocumentVersion.objects.filter(pk=stalled.pk).update(
        pdf_status=PdfStatus.CONVERTING, updated_at=long_ago
    )
    fresh = services.document_generate(
        actor=two_teams["hunter_a"], deal=deal, kind="tech_quote"
    ).versions.get()

    assert services.documents_pdf_requeue() == 2  # the immediate backend runs them now
    for version in (forgotten, stalled):
        version.refresh_from_db()
        assert version.pdf_status == PdfStatus.READY
    fresh.refresh_from_db()
    assert fresh.pdf_status == PdfStatus.QUEUED  # just queued: left to its own task
    assert services.documents_pdf_requeue() == 0
