"""The stage table of seed 001 («Вход-Выход, Ответственный, Задачи, Действия, КФУ»): a stage
keeps its tasks, actions and key success factor, and the deal's card shows them to the manager
working the deal, next to the stage's input and output."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greenwave.sales import services
from greenwave.sales.forms import StageForm

pytestmark = pytest.mark.django_db

TASKS = "Выявить ЛПР и бюджет"
ACTIONS = "Позвонить, задать вопросы анкеты"
FACTOR = "Дозвониться до ЛПР в первый день"


def _describe(admin, b2b):
    stage = b2b.stages.order_by("order").first()
    return services.stage_save(
        actor=admin,
        pipeline=b2b,
        stage=stage,
        code=stage.code,
        name=stage.name,
        input_description=stage.input_description,
        output_description=stage.output_description,
        output_checklist=list(stage.output_checklist),
        responsible_role=stage.responsible_role,
        tasks=TASKS,
        actions=ACTIONS,
        key_success_factor=FACTOR,
    )


def test_a_stage_keeps_its_tasks_and_actions_when_its_process_changes(two_teams, b2b):
    stage = _describe(two_teams["admin"], b2b)
    services.stage_set_opening_process(
        actor=two_teams["admin"], pipeline=b2b, stage=stage, opening_process=""
    )
    stage.refresh_from_db()
    assert (stage.tasks, stage.actions, stage.key_success_factor) == (TASKS, ACTIONS, FACTOR)
    initial = StageForm.initial_for(stage)
    assert (initial["tasks"], initial["actions"]) == (TASKS, ACTIONS)


def test_the_stage_form_saves_tasks_and_actions(client, two_teams, b2b):
    stage = b2b.stages.order_by("order").first()
    client.force_login(two_teams["admin"])
    body = {k: v for k, v in StageForm.initial_for(stage).items() if v not in (None, "", [])}
    body.update(tasks=TASKS, actions=ACTIONS)
    response = client.post(f"/sales/settings/pipelines/{b2b.pk}/stages/{stage.pk}/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    stage.refresh_from_db()
    assert (stage.tasks, stage.actions) == (TASKS, ACTIONS)


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("ru", ("Вход", "Задачи", "Действия", "Ключевой фактор успеха")),
        ("en", ("Input", "Tasks", "Actions", "Key success factor")),
    ],
)
def test_the_deal_card_shows_what_its_stage_asks_of_the_manager(
    client, two_teams, b2b, language, labels
):
    _describe(two_teams["admin"], b2b)
    hunter = two_teams["hunter_a"]
    hunter.language = language
    hunter.save(update_fields=["language"])
    deal = services.deal_create(actor=hunter, title="Поставка", pipeline=b2b, amount=Decimal(1))
    client.force_login(hunter)
    html = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert 'data-testid="stage-guide"' in html
    for text in (*labels, TASKS, ACTIONS, FACTOR):
        assert text in html, text


def test_the_pipelines_api_answers_the_stage_table(two_teams, bearer, b2b):
    _describe(two_teams["admin"], b2b)
    answer = bearer(two_teams["hunter_a"]).get(f"/api/v1/pipelines/{b2b.pk}").json()
    first = answer["stages"][0]
    assert (first["tasks"], first["actions"], first["key_success_factor"]) == (
        TASKS,
        ACTIONS,
        FACTOR,
    )


def test_the_pipeline_settings_show_the_key_success_factor(client, two_teams, b2b):
    _describe(two_teams["admin"], b2b)
    client.force_login(two_teams["admin"])
    html = client.get("/sales/settings/pipelines/").content.decode()
    assert 'data-testid="stage-ksf"' in html
    assert FACTOR in html


def test_an_english_reader_edits_a_built_in_stage_in_english_and_an_untouched_save_keeps_it(
    client, two_teams, b2b
):
    """The form shows the built-in Russian texts in the reader's language, as the pages do;
    posted back untouched (with a browser's CRLF line ends), the stored Russian stays."""
    from django.utils import translation

    from greenwave.sales.models import Stage

    admin = two_teams["admin"]
    admin.language = "en"
    admin.save(update_fields=["language"])
    stage = b2b.stages.get(code="qualification")
    stored = {name: getattr(stage, name) for name in StageForm.TEXTS}
    assert stored["input_description"] == "Лид SQL: потребность подтверждена, есть контакт"
    client.force_login(admin)
    page = client.get(f"/sales/settings/pipelines/{b2b.pk}/stages/{stage.pk}/").content.decode()
    assert "SQL lead: the need is confirmed, there is a contact</textarea>" in page
    assert "Лид SQL: потребность подтверждена" not in page
    with translation.override("en"):
        shown = StageForm.initial_for(stage)
    assert shown["input_description"] == "SQL lead: the need is confirmed, there is a contact"
    body = {k: v for k, v in shown.items() if v not in (None, "", [])}
    body.update({k: v.replace("\n", "\r\n") for k, v in body.items() if k in StageForm.TEXTS})
    response = client.post(f"/sales/settings/pipelines/{b2b.pk}/stages/{stage.pk}/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert {name: getattr(Stage.objects.get(pk=stage.pk), name) for name in StageForm.TEXTS} == (
        stored
    )
    body["output_description"] = "Client qualified"
    client.post(f"/sales/settings/pipelines/{b2b.pk}/stages/{stage.pk}/", body)
    stage.refresh_from_db()
    assert stage.output_description == "Client qualified"
    assert stage.input_description == stored["input_description"]


def test_the_stages_table_names_the_role_under_the_stage_to_fit_1024_px(client, two_teams, b2b):
    """Seven wide columns did not fit a 1024 px screen: the role moved under the stage's name
    (the narrow target column beside the other figures)."""
    client.force_login(two_teams["admin"])
    page = client.get("/sales/settings/pipelines/").content.decode()
    table = page[page.index("<table") : page.index("</table>")]
    assert table.split("</thead>")[0].count("</th>") == 7
    assert '<div class="small text-body-secondary" data-testid="stage-role">Охотник</div>' in table
