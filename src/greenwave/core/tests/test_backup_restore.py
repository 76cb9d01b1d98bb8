"""`manage.py backup` / `restore`: records and uploaded files come back to a working state
(SQLite and PostgreSQL), and a target that is not empty is refused unless --force."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from greenwave.core import backup
from greenwave.core.models import Event
from greenwave.crm import services as crm
from greenwave.crm.models import Company
from greenwave.sales import services as sales
from greenwave.sales.models import Deal, DealDocument, Pipeline

pytestmark = pytest.mark.django_db(transaction=True)

CONTRACT = b"%PDF-1.4 contract \x00\x01\x02\xff signed" * 100


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files on the file system, as in production."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def records(two_teams: dict[str, Any], media: Path) -> dict[str, Any]:
    importlib.import_module("greenwave.sales.migrations.0002_default_pipelines").create(apps, None)
    hunter = two_teams["hunter_a"]
    company = crm.company_create(actor=hunter, name="ООО «Сохранённая»")
    deal = sales.deal_create(
        actor=hunter, title="Поставка", pipeline=Pipeline.objects.get(code="b2b"), company=company
    )
    document = sales.deal_attach_document(
        actor=hunter,
        deal=deal,
        kind="contract",
        title="Договор",
        file=SimpleUploadedFile("contract.pdf", CONTRACT),
    )
    return {"user": hunter, "company": company, "deal": deal, "document": document}


def _wipe() -> None:
    backup._drop_tables(connection.introspection.table_names())
    for name in list(backup.stored_files()):
        default_storage.delete(name)
    assert not connection.introspection.table_names()


def _assert_restored(records: dict[str, Any], events: int) -> None:
    company = Company.objects.get(pk=records["company"].pk)
    assert company.name == "ООО «Сохранённая»"
    deal = Deal.objects.get(pk=records["deal"].pk)
    assert deal.company_id == company.pk
    document = DealDocument.objects.get(deal=deal)
    assert document.file.name == records["document"].file.name
    with document.file.open("rb") as handle:
        assert handle.read() == CONTRACT
    assert Event.objects.count() == events
    # Working: the user signs in and reads the deal through the API.
    client = Client()
    client.force_login(records["user"])
    response = client.get(f"/api/v1/deals/{deal.pk}")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Поставка"


def test_a_backup_restores_into_an_empty_database_and_storage(
    records: dict[str, Any], tmp_path: Path
) -> None:
    events = Event.objects.count()
    out = tmp_path / "backup"
    call_command("backup", out=str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor
    assert manifest["files"] == 1
    assert manifest["migrations"]["sales"]

    _wipe()
    assert not list(backup.stored_files())
    call_command("restore", str(out))

    _assert_restored(records, events)


def test_restore_refuses_a_target_that_is_not_empty_unless_forced(
    records: dict[str, Any], tmp_path: Path
) -> None:
    events = Event.objects.count()
    out = tmp_path / "backup"
    call_command("backup", out=str(out))
    # Life goes on after the backup: a rename, a new client, a document gone, a new file.
    user = records["user"]
    crm.company_update(actor=user, company=records["company"], name="ООО «Другая»")
    crm.company_create(actor=user, name="ООО «Новая»")
    DealDocument.objects.all().delete()
    default_storage.save("deal_documents/later.txt", ContentFile(b"later"))

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(out))
    assert Company.objects.count() == 2  # nothing touched

    call_command("restore", str(out), force=True)

    assert Company.objects.count() == 1
    assert list(backup.stored_files()) == [records["document"].file.name]
    _assert_restored(records, events)


def test_a_directory_is_a_backup_only_when_finished_and_never_overwritten(
    records: dict[str, Any], tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match=r"no manifest\.json"):
        call_command("restore", str(tmp_path))
    out = tmp_path / "backup"
    call_command("backup", out=str(out))
    with pytest.raises(CommandError, match="already holds a backup"):
        call_command("backup", out=str(out))
