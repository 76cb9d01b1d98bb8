"""The modeler offers FEEL for the conditions of a new diagram, and what it saves runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from greenwave.bpm import services
from greenwave.bpm.models import InstanceStatus, ProcessDefinition

from .test_journey import draw

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[5] / "test-artifacts"

DRAW = """() => {
  const m = window.gwModeler;
  const registry = m.get('elementRegistry');
  const modeling = m.get('modeling');
  const start = registry.get('StartEvent_1');
  const gateway = modeling.appendShape(start, { type: 'bpmn:ExclusiveGateway' });
  const big = modeling.appendShape(gateway, { type: 'bpmn:EndEvent' }, { x: 500, y: 100 });
  const small = modeling.appendShape(gateway, { type: 'bpmn:EndEvent' }, { x: 500, y: 300 });
  modeling.updateLabel(big, 'Big');
  modeling.updateLabel(small, 'Small');
  const toBig = big.incoming[0];
  modeling.updateProperties(gateway, { default: small.incoming[0].businessObject });
  m.get('selection').select(toBig);
  return true;
}"""


def test_a_condition_typed_in_the_modeler_is_feel_and_routes(
    page: Any, live_server: Any, two_teams: dict[str, Any]
) -> None:
    draw(page, live_server, two_teams["admin"], DRAW)
    assert page.input_value("#gw-prop-language") == "feel"
    page.fill("#gw-prop-condition", 'amount > 1000 and client = "ООО Ромашка"')
    page.press("#gw-prop-condition", "Tab")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "modeler-feel-condition.png"))
    page.fill("#modeler-key", "feel-route")
    page.click("[data-testid=save-deploy]")
    page.wait_for_selector("[data-bpmn-viewer][data-rendered=true]")
    definition = ProcessDefinition.objects.get(key="feel-route")
    assert definition.status == "deployed", definition.unsupported
    big = services.instance_start(
        actor=two_teams["admin"],
        definition=definition,
        variables={"amount": 1500, "client": "ООО Ромашка"},
    )
    small = services.instance_start(
        actor=two_teams["admin"], definition=definition, variables={"amount": 1500, "client": "x"}
    )
    for instance in (big, small):
        instance.refresh_from_db()
        assert instance.status == InstanceStatus.COMPLETED
    ends = {
        name: el
        for el, meta in definition.metadata["elements"].items()
        if meta["tag"] == "endEvent"
        for name in [meta["name"]]
    }
    assert big.element_states.get(ends["Big"]) == "done"
    assert small.element_states.get(ends["Small"]) == "done"
