"""The built-in stages come with seed 001's stage table filled in (tasks, actions, key success
factor), read in the reader's language; migration 0015 fills only empty fields of the built-in
pipelines' stages and its reverse clears only the texts it wrote."""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from greenwave.sales import services
from greenwave.sales.models import Pipeline, Stage
from greenwave.sales.stage_texts import BUILT_IN_PIPELINES, GUIDE, GUIDE_FIELDS

pytestmark = pytest.mark.django_db
_GUIDE = importlib.import_module("greenwave.sales.migrations.0015_stage_builtin_texts")


def test_every_built_in_stage_has_its_tasks_actions_and_key_success_factor(b2b: Any) -> None:
    stages = Stage.objects.filter(pipeline__code__in=BUILT_IN_PIPELINES)
    assert stages.count() == len(GUIDE) == 12
    for stage in stages:
        for field in GUIDE_FIELDS:
            assert getattr(stage, field) == GUIDE[stage.code][field][0], (stage.code, field)


def test_the_migration_keeps_what_an_admin_wrote_and_fills_the_rest(b2b: Any) -> None:
    Stage.objects.filter(pipeline=b2b, code="needs").update(key_success_factor="Своё", tasks="")
    Stage.objects.filter(pipeline=b2b, code="contract").update(actions="  ")
    _GUIDE.fill(apps, None)
    needs = Stage.objects.get(pipeline=b2b, code="needs")
    assert needs.key_success_factor == "Своё"
    assert needs.tasks == GUIDE["needs"]["tasks"][0]
    contract = Stage.objects.get(pipeline=b2b, code="contract")
    assert contract.actions == GUIDE["contract"]["actions"][0]


def test_the_migration_leaves_other_pipelines_alone_and_its_reverse_only_its_texts(
    b2b: Any,
) -> None:
    other = Pipeline.objects.create(code="mine", name="Моя")
    mine = Stage.objects.create(pipeline=other, code="needs", name="Потребность", order=1)
    Stage.objects.filter(pipeline=b2b, code="needs").update(key_success_factor="Своё")
    _GUIDE.fill(apps, None)
    mine.refresh_from_db()
    assert (mine.tasks, mine.actions, mine.key_success_factor) == ("", "", "")
    _GUIDE.clear(apps, None)
    needs = Stage.objects.get(pipeline=b2b, code="needs")
    assert (needs.tasks, needs.actions, needs.key_success_factor) == ("", "", "Своё")


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        (
            "ru",
            ["Разговор с ЛПР, а не с секретарём", "Найти ЛПР и контактное лицо<br>"],
            ["Talking to the decision maker"],
        ),
        (
            "en",
            ["Talking to the decision maker, not a secretary", "Find the decision maker and"],
            ["Разговор с ЛПР", "Найти ЛПР"],
        ),
    ],
)
def test_the_deal_card_guides_by_the_built_in_texts_in_the_readers_language(
    two_teams: Any, b2b: Any, language: str, shown: list[str], hidden: list[str]
) -> None:
    hunter = two_teams["hunter_a"]
    hunter.language = language
    hunter.save(update_fields=["language"])
    deal = services.deal_create(actor=hunter, title="Поставка", pipeline=b2b, amount=Decimal(1))
    client = Client()
    client.force_login(hunter)
    html = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    for text in shown:
        assert text in html, text
    for text in hidden:
        assert text not in html, text


def test_a_guide_saved_back_through_the_form_still_reads_in_english(b2b: Any) -> None:
    stage = Stage.objects.get(pipeline=b2b, code="qualification")
    stage.tasks = stage.tasks.replace("\n", "\r\n")  # what a browser's textarea posts
    with translation.override("ru"):
        assert stage.tasks_label == stage.tasks
    with translation.override("en"):
        assert stage.tasks_label == GUIDE["qualification"]["tasks"][1]
