"""Browser journeys: draw → deploy → start → complete as two users → history overlay;
every MIWG reference diagram renders in the viewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, ProcessDefinition, ProcessInstance
from greenwave.core.tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MIWG = Path(__file__).resolve().parents[6] / "shared" / "conformance" / "bpmn-miwg"

DRAW = """() => {
  const m = window.gwModeler;
  const registry = m.get('elementRegistry');
  const modeling = m.get('modeling');
  const start = registry.get('StartEvent_1');
  const prepare = modeling.appendShape(start, { type: 'bpmn:UserTask' });
  modeling.updateLabel(prepare, 'Подготовить предложение');
  const approve = modeling.appendShape(prepare, { type: 'bpmn:UserTask' });
  modeling.updateLabel(approve, 'Утвердить предложение');
  modeling.appendShape(approve, { type: 'bpmn:EndEvent' });
  m.get('selection').select(approve);
  return true;
}"""


def draw(page: Any, live_server: Any, admin: Any, script: str) -> None:
    """Sign in as `admin`, open a new definition in the modeler and run `script` on it."""
    sign_in(page, live_server, admin.username)
    page.goto(f"{live_server.url}/processes/definitions/new/")
    page.wait_for_selector("[data-bpmn-modeler][data-rendered=true]")
    page.evaluate(script)


def test_draw_deploy_start_and_complete_as_two_users(
    page: Any, live_server: Any, two_teams: dict[str, Any]
) -> None:
    draw(page, live_server, two_teams["admin"], DRAW)
    # The properties panel: the approval goes to the head of sales, with a form.
    page.select_option("#gw-prop-candidateRole", "head_of_sales")
    page.fill("#gw-prop-form", "decision | choice | Решение | required | approve, reject")
    page.press("#gw-prop-form", "Tab")
    page.fill("#modeler-key", "offer")
    page.click("[data-testid=save-deploy]")
    page.wait_for_selector("[data-bpmn-viewer][data-rendered=true]")
    definition = ProcessDefinition.objects.get(key="offer")
    assert definition.status == "deployed"
    assert definition.metadata["user_tasks"]
    approve = next(
        t
        for t in definition.metadata["user_tasks"].values()
        if t["name"] == "Утвердить предложение"
    )
    assert approve["candidate_role"] == "head_of_sales"
    assert approve["form"][0]["name"] == "decision"

    sign_in(page, live_server, two_teams["hunter_a"].username)
    page.goto(f"{live_server.url}/processes/definitions/{definition.pk}/")
    page.click("[data-testid=start]")
    page.wait_for_selector("[data-testid=instance-status]")
    instance = ProcessInstance.objects.get(definition=definition)
    page.goto(f"{live_server.url}/processes/inbox/")
    page.click("text=Подготовить предложение")
    page.click("[data-testid=complete]")
    page.wait_for_url("**/processes/inbox/")

    sign_in(page, live_server, two_teams["head_a"].username)
    page.goto(f"{live_server.url}/processes/inbox/")
    page.click("text=Утвердить предложение")
    page.select_option("select[name=decision]", "approve")
    page.click("[data-testid=complete]")
    page.wait_for_url("**/processes/inbox/")
    assert ProcessInstance.objects.get(pk=instance.pk).status == "completed"
    tasks = HumanTask.objects.filter(instance=instance)
    done_by = set(tasks.values_list("completed_by__username", flat=True))
    assert done_by == {"hunter_a", "head_a"}

    page.goto(f"{live_server.url}/processes/instances/{instance.pk}/")
    page.wait_for_selector("[data-bpmn-viewer][data-rendered=true]")
    assert page.locator(".gw-state-done").count() >= 4
    assert page.locator("[data-testid=history] li").count() >= 5


@pytest.mark.skipif(not MIWG.is_dir(), reason="the MIWG reference diagrams are not checked out")
def test_every_miwg_diagram_renders_in_the_viewer(
    page: Any, live_server: Any, two_teams: dict[str, Any]
) -> None:
    sign_in(page, live_server, two_teams["admin"].username)
    for path in sorted(MIWG.glob("*.bpmn")):
        definition = services.definition_upload(actor=None, xml=path.read_bytes(), key=path.stem)
        page.goto(f"{live_server.url}/processes/definitions/{definition.pk}/")
        page.wait_for_selector("[data-bpmn-viewer][data-rendered]")
        rendered = page.get_attribute("[data-bpmn-viewer]", "data-rendered")
        assert rendered == "true", path.name
