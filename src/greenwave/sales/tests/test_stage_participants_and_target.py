"""Seed 001's stage table names a stage's «Участники» beside its «Ответственный», and seeds
000/001 measure the stage-to-stage conversion against a goal: a stage keeps the roles taking
part in it and a target conversion, %, which the funnel compares the real conversion with."""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import translation

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.sales import events, services
from greenwave.sales.forms import StageForm
from greenwave.sales.funnel import FunnelRow, funnel
from greenwave.sales.models import Pipeline, Stage
from greenwave.sales.stage_texts import BUILT_IN_PIPELINES, PARTICIPANTS

pytestmark = pytest.mark.django_db
_MIGRATION = importlib.import_module("greenwave.sales.migrations.0017_stage_builtin_participants")


def _first(b2b: Pipeline) -> Stage:
    return b2b.stages.order_by("order").first()


def _set(admin: Any, b2b: Pipeline, stage: Stage, **changes: Any) -> Stage:
    """stage_save with everything the stage holds but `changes`."""
    fields = StageForm.initial_for(stage)
    fields.pop("checklist"), fields.pop("activities")
    fields["target_conversion"] = stage.target_conversion
    return services.stage_save(
        actor=admin,
        pipeline=b2b,
        stage=stage,
        output_checklist=list(stage.output_checklist),
        **(fields | changes),
    )


def _as_reader(client: Any, user: Any, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)


def test_the_built_in_stages_name_their_participants(b2b: Any) -> None:
    stages = Stage.objects.filter(pipeline__code__in=BUILT_IN_PIPELINES)
    for stage in stages:
        assert stage.participants == PARTICIPANTS.get(stage.code, []), stage.code
        assert stage.responsible_role not in stage.participants, stage.code
    contract = stages.get(pipeline=b2b, code="contract")
    with translation.override("en"):
        assert contract.participant_labels == ["Head of sales", "Lawyer", "Finance"]


def test_the_migration_fills_only_empty_lists_and_its_reverse_only_its_own(b2b: Any) -> None:
    Stage.objects.filter(pipeline=b2b, code="contract").update(participants=["kam"])
    Stage.objects.filter(pipeline=b2b, code="invoice").update(participants=[])
    other = Pipeline.objects.create(code="mine", name="Моя")
    mine = Stage.objects.create(pipeline=other, code="contract", name="Договор", order=1)
    _MIGRATION.fill(apps, None)
    assert Stage.objects.get(pipeline=b2b, code="contract").participants == ["kam"]
    assert Stage.objects.get(pipeline=b2b, code="invoice").participants == ["accountant"]
    mine.refresh_from_db()
    assert mine.participants == []
    _MIGRATION.clear(apps, None)
    assert Stage.objects.get(pipeline=b2b, code="contract").participants == ["kam"]
    assert Stage.objects.get(pipeline=b2b, code="invoice").participants == []


def test_participants_and_target_are_saved_in_role_order_and_logged(two_teams: Any, b2b: Any):
    stage = _first(b2b)
    _set(two_teams["admin"], b2b, stage, participants=["lawyer", "closer"], target_conversion=65)
    stage.refresh_from_db()
    assert (stage.participants, stage.target_conversion) == (["closer", "lawyer"], 65)
    event = Event.objects.filter(activity=events.PIPELINE_CHANGED).latest("pk")
    assert event.payload["changes"] == {
        "participants": [["call_center"], ["closer", "lawyer"]],
        "target_conversion": [None, 65],
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"participants": ["astronaut"]},
        {"participants": ["hunter"]},  # the responsible role of «Квалификация»
        {"target_conversion": 101},
        {"target_conversion": -1},
    ],
)
def test_a_bad_participant_or_target_is_refused_and_nothing_changes(
    two_teams: Any, b2b: Any, changes: dict[str, Any]
) -> None:
    stage = _first(b2b)
    with pytest.raises(DomainError):
        _set(two_teams["admin"], b2b, stage, **changes)
    stage.refresh_from_db()
    assert (stage.participants, stage.target_conversion) == (["call_center"], None)


def test_the_database_refuses_a_target_over_100(b2b: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Stage.objects.filter(pk=_first(b2b).pk).update(target_conversion=101)


def test_the_stage_form_saves_participants_and_target(client: Any, two_teams: Any, b2b: Any):
    stage = _first(b2b)
    client.force_login(two_teams["admin"])
    body = {k: v for k, v in StageForm.initial_for(stage).items() if v not in (None, "", [])}
    body.update(participants=["head_of_sales", "call_center"], target_conversion="70")
    response = client.post(f"/sales/settings/pipelines/{b2b.pk}/stages/{stage.pk}/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    stage.refresh_from_db()
    assert (stage.participants, stage.target_conversion) == (["call_center", "head_of_sales"], 70)
    html = client.get("/sales/settings/pipelines/").content.decode()
    assert "Колл-центр, Руководитель отдела продаж" in html


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"target_conversion": "150"}, "target_conversion"),
        ({"participants": ["hunter"]}, "participants"),
        ({"participants": ["nobody"]}, "participants"),
    ],
)
def test_the_stage_form_refuses_bad_values_and_nothing_changes(
    client: Any, two_teams: Any, b2b: Any, changes: dict[str, Any], field: str
) -> None:
    stage = _first(b2b)
    client.force_login(two_teams["admin"])
    body = {k: v for k, v in StageForm.initial_for(stage).items() if v not in (None, "", [])}
    body.update(changes)
    response = client.post(f"/sales/settings/pipelines/{b2b.pk}/stages/{stage.pk}/", body)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    stage.refresh_from_db()
    assert (stage.participants, stage.target_conversion) == (["call_center"], None)


def test_the_api_sets_participants_and_target(two_teams: Any, bearer: Any, b2b: Any) -> None:
    stage = _first(b2b)
    url = f"/api/v1/pipelines/{b2b.pk}/stages/{stage.pk}/participants"
    api = bearer(two_teams["admin"])
    body = {"participants": ["finance", "call_center"], "target_conversion": 55}
    response = api.put(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["participants"] == ["call_center", "finance"]
    assert response.json()["target_conversion"] == 55
    listed = api.get(f"/api/v1/pipelines/{b2b.pk}").json()["stages"][0]
    assert (listed["participants"], listed["target_conversion"]) == (["call_center", "finance"], 55)


@pytest.mark.parametrize(
    "body",
    [
        {"participants": ["astronaut"]},
        {"participants": ["hunter"]},
        {"participants": [], "target_conversion": 101},
        {"participants": [], "colour": "red"},
    ],
)
def test_the_api_refuses_bad_values_and_nothing_changes(
    two_teams: Any, bearer: Any, b2b: Any, body: dict[str, Any]
) -> None:
    stage = _first(b2b)
    url = f"/api/v1/pipelines/{b2b.pk}/stages/{stage.pk}/participants"
    response = bearer(two_teams["admin"]).put(url, body, content_type="application/json")
    assert response.status_code in (400, 422), response.content
    stage.refresh_from_db()
    assert (stage.participants, stage.target_conversion) == (["call_center"], None)


def test_only_an_admin_sets_them(two_teams: Any, bearer: Any, b2b: Any) -> None:
    stage = _first(b2b)
    url = f"/api/v1/pipelines/{b2b.pk}/stages/{stage.pk}/participants"
    body = {"participants": [], "target_conversion": 10}
    response = bearer(two_teams["head_a"]).put(url, body, content_type="application/json")
    assert response.status_code == 403
    stage.refresh_from_db()
    assert stage.target_conversion is None


# reader's language → the guide's label and the roles it names
PARTICIPANTS_READ = [
    ("ru", "Участники", "Руководитель отдела продаж, Юрист"),
    ("en", "Participants", "Head of sales, Lawyer"),
]


@pytest.mark.parametrize(("language", "label", "roles"), PARTICIPANTS_READ)
def test_the_deal_card_names_the_stage_participants(
    client: Any, two_teams: Any, b2b: Any, language: str, label: str, roles: str
) -> None:
    _set(two_teams["admin"], b2b, _first(b2b), participants=["lawyer", "head_of_sales"])
    deal = services.deal_create(
        actor=two_teams["hunter_a"], title="Поставка", pipeline=b2b, amount=Decimal(1)
    )
    _as_reader(client, two_teams["hunter_a"], language)
    html = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert 'data-testid="stage-participants"' in html
    assert f"{label}</dt>" in html
    assert roles in html


@pytest.mark.parametrize(
    ("conversion", "target", "below"),
    [(0.29, 29, False), (0.2857, 29, True), (0.5, None, None), (None, 50, None), (1.0, 100, False)],
)
def test_a_row_is_below_target_only_with_a_target_and_a_measure(
    conversion: float | None, target: int | None, below: bool | None
) -> None:
    decided = 10000
    forward = round(conversion * decided) if conversion is not None else 0
    lost = decided - forward if conversion is not None else 0
    row = FunnelRow(stage_id=1, stage="s", group=None, forward=forward, lost=lost)
    row.target_conversion = target
    assert row.below_target is below


def _one_of_two_moves_on(two_teams: Any, b2b: Any) -> None:
    """«Квалификация»: one deal moves on, one is lost — a conversion of 50 %."""
    stages = list(b2b.stages.order_by("order"))
    head = two_teams["head_a"]
    moved = services.deal_create(actor=head, title="Дальше", pipeline=b2b)
    services.deal_move(actor=head, deal=moved, stage=stages[1], override_comment="qa")
    lost = services.deal_create(actor=head, title="Мимо", pipeline=b2b)
    services.deal_lose(actor=head, deal=lost, reason=b2b.loss_reasons.first())


def test_the_funnel_marks_a_stage_below_its_target(two_teams: Any, bearer: Any, b2b: Any):
    _set(two_teams["admin"], b2b, _first(b2b), target_conversion=60)
    second = b2b.stages.order_by("order")[1]
    _set(two_teams["admin"], b2b, second, target_conversion=40)
    _one_of_two_moves_on(two_teams, b2b)
    rows = funnel(actor=two_teams["admin"], pipeline=b2b)
    assert (rows[0].conversion, rows[0].target_conversion, rows[0].below_target) == (0.5, 60, True)
    assert rows[1].below_target is None  # nothing left «Оценка потребности» yet
    body = bearer(two_teams["head_a"]).get(f"/api/v1/analytics/funnel?pipeline={b2b.pk}").json()
    assert body["stages"][0]["target_conversion"] == 60
    assert body["stages"][0]["below_target"] is True
    assert body["stages"][2]["target_conversion"] is None


@pytest.mark.parametrize(
    ("language", "texts"),
    [("ru", ("Цель", "ниже цели", "Цель — конверсия")), ("en", ("Target", "below the target"))],
)
def test_the_funnel_page_says_below_the_target_in_words(
    client: Any, two_teams: Any, b2b: Any, language: str, texts: tuple[str, ...]
) -> None:
    _set(two_teams["admin"], b2b, _first(b2b), target_conversion=60)
    _one_of_two_moves_on(two_teams, b2b)
    _as_reader(client, two_teams["head_a"], language)
    html = client.get(f"/sales/funnel/?pipeline={b2b.pk}").content.decode()
    assert html.count('data-testid="funnel-below-target"') == 1
    assert "bi-arrow-down-circle-fill" in html
    assert 'data-testid="funnel-target-hint"' in html
    for text in texts:
        assert text in html, text
