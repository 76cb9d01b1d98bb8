"""The default pipelines' stage inputs and outputs (stored in Russian by migration 0002) read in
the reader's language; a text an admin typed is shown as typed."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from django.test import Client

from greenwave.sales.models import Stage
from greenwave.sales.stage_texts import ENGLISH, GUIDE, GUIDE_FIELDS, stage_text

_DEFAULTS = importlib.import_module("greenwave.sales.migrations.0002_default_pipelines")
CYRILLIC = re.compile("[а-яёА-ЯЁ]")


def _built_in() -> dict[str, set[str]]:
    texts: dict[str, set[str]] = {}
    for row in (*_DEFAULTS.B2B, *_DEFAULTS.CALL_CENTRE):
        code, *_names, inp, out, _checklist = row
        texts.setdefault(code, set()).update((inp, out))
        texts[code].update(GUIDE[code][field][0] for field in GUIDE_FIELDS)
    return texts


def test_every_built_in_stage_text_has_its_english_and_only_those() -> None:
    built_in = _built_in()
    assert {code: set(texts) for code, texts in ENGLISH.items()} == built_in
    assert all(CYRILLIC.search(ru) for texts in ENGLISH.values() for ru in texts)
    russian = [en for texts in ENGLISH.values() for en in texts.values() if CYRILLIC.search(en)]
    assert russian == []


def test_stage_text_translates_only_the_built_in_text_of_that_stage() -> None:
    assert stage_text("invoice", "Выставленный счёт", "en") == "An invoice issued"
    assert stage_text("payment", "Выставленный счёт", "en") == "The invoice issued"
    assert stage_text("invoice", "Выставленный счёт", "ru") == "Выставленный счёт"
    assert stage_text("invoice", "Выставленный счёт", "en-us") == "An invoice issued"
    assert stage_text("my_stage", "Выставленный счёт", "en") == "Выставленный счёт"
    assert stage_text("invoice", "Выставленный счёт и акт", "en") == "Выставленный счёт и акт"


@pytest.mark.django_db
def test_the_pipeline_settings_show_the_built_in_texts_in_the_readers_language(
    b2b: Any, make_user: Any
) -> None:
    Stage.objects.filter(pipeline=b2b, code="needs").update(output_description="Анкета ЛПР")
    admin = make_user("boss", roles=["admin"], language="en")
    client = Client()
    client.force_login(admin)
    page = client.get("/sales/settings/pipelines/").content.decode()
    assert "A signed and approved contract" in page
    assert "Подписанный и согласованный договор" not in page
    assert "Анкета ЛПР" in page  # the admin's own words, as typed
    admin.language = "ru"
    admin.save(update_fields=["language"])
    page = client.get("/sales/settings/pipelines/").content.decode()
    assert "Подписанный и согласованный договор" in page
    assert "A signed and approved contract" not in page
