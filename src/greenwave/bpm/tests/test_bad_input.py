# ruff: noqa: E501 - inline BPMN reads better unwrapped
"""Hostile or broken BPMN and expressions get clear errors and store nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from greenwave.bpm import services
from greenwave.bpm.engine import sandbox
from greenwave.bpm.models import ProcessDefinition
from greenwave.core.errors import DomainError

pytestmark = pytest.mark.django_db

HEAD = b'<?xml version="1.0"?>\n'
NS = b'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x"'


def _process(body: bytes, *, executable: bytes = b"true") -> bytes:
    return (
        HEAD
        + b"<bpmn:definitions "
        + NS
        + b'><bpmn:process id="p" isExecutable="'
        + executable
        + b'">'
        + body
        + b"</bpmn:process></bpmn:definitions>"
    )


SIMPLE = b'<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/>'


def _refused(xml: bytes) -> DomainError:
    """The refusal in English (the reasons are in the reader's language)."""
    with translation.override("en"), pytest.raises(DomainError) as err:
        services.definition_upload(actor=None, xml=xml)
    assert ProcessDefinition.objects.count() == 0
    return err.value


def test_external_entities_are_refused() -> None:
    xml = (
        HEAD
        + b'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + b"<bpmn:definitions "
        + NS
        + b"><bpmn:process id='p' name='&xxe;'/></bpmn:definitions>"
    )
    assert _refused(xml).code == "bpm.invalid_bpmn"


def test_billion_laughs_is_refused() -> None:
    lol = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    xml = (
        HEAD + lol + b"<bpmn:definitions " + NS + b"><bpmn:process id='&lol2;'/></bpmn:definitions>"
    )
    assert "not allowed" in _refused(xml).message


def test_a_50_mb_file_is_refused_before_parsing() -> None:
    xml = _process(SIMPLE + b"<!--" + b"x" * (50 * 1024 * 1024) + b"-->")
    err = _refused(xml)
    assert err.details["limit"] < len(xml)


@pytest.mark.parametrize(
    "xml",
    [b"not xml at all", b"<root/>", HEAD + b"<bpmn:definitions " + NS + b"/>"],
)
def test_malformed_or_non_bpmn_files_are_refused(xml: bytes) -> None:
    assert _refused(xml).code == "bpm.invalid_bpmn"


def test_duplicate_ids_are_refused_and_named() -> None:
    err = _refused(_process(b'<bpmn:startEvent id="s"/><bpmn:endEvent id="s"/>'))
    assert err.details["duplicate_ids"] == ["s"]


def test_hostile_condition_is_named_and_the_version_cannot_be_deployed() -> None:
    body = (
        b'<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="g"/>'
        b'<bpmn:exclusiveGateway id="g"/>'
        b'<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="e">'
        b"<bpmn:conditionExpression>__import__('os').system('id')</bpmn:conditionExpression>"
        b'</bpmn:sequenceFlow><bpmn:endEvent id="e"/>'
    )
    definition = services.definition_upload(actor=None, xml=_process(body))
    assert definition.unsupported[0]["id"] == "f2"
    assert "__import__" in definition.unsupported[0]["reason"]
    with pytest.raises(DomainError) as err:
        services.definition_deploy(actor=None, definition=definition)
    assert err.value.code == "bpm.unsupported_elements"
    definition.refresh_from_db()
    assert definition.status == "draft"


def test_a_script_task_that_fails_the_sandbox_is_refused_on_deploy() -> None:
    body = (
        b'<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t"/>'
        b'<bpmn:scriptTask id="t"><bpmn:script>import os\nos.system("id")</bpmn:script></bpmn:scriptTask>'
        b'<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e"/>'
    )
    definition = services.definition_upload(actor=None, xml=_process(body))
    assert [u["id"] for u in definition.unsupported] == ["t"]
    with pytest.raises(DomainError):
        services.definition_deploy(actor=None, definition=definition)


def test_unsupported_elements_are_named() -> None:
    body = SIMPLE + b'<bpmn:complexGateway id="cx"/>'
    definition = services.definition_upload(actor=None, xml=_process(body))
    assert {"id": "cx", "tag": "complexGateway"}.items() <= definition.unsupported[0].items()


def test_a_flow_to_a_missing_element_is_named_and_cannot_be_deployed() -> None:
    """SpiffWorkflow's own error for it ("we found two items, perhaps a form has the same
    ID?") sent the modeller looking for a duplicate."""
    body = b'<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="missing"/>'
    definition = services.definition_upload(actor=None, xml=_process(body))
    assert definition.unsupported == [
        {
            "id": "f",
            "tag": "sequenceFlow",
            "reason": "the flow's targetRef 'missing' names no element of the process",
        }
    ]
    with pytest.raises(DomainError) as err:
        services.definition_deploy(actor=None, definition=definition)
    assert "found two items" not in err.value.message
    definition.refresh_from_db()
    assert definition.status == "draft"


def test_a_timer_date_in_the_past_is_refused() -> None:
    body = (
        b'<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="w"/>'
        b'<bpmn:intermediateCatchEvent id="w"><bpmn:timerEventDefinition id="td">'
        b"<bpmn:timeDate>2001-01-01T00:00:00</bpmn:timeDate></bpmn:timerEventDefinition>"
        b'</bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f2" sourceRef="w" targetRef="e"/>'
        b'<bpmn:endEvent id="e"/>'
    )
    definition = services.definition_upload(actor=None, xml=_process(body))
    assert definition.unsupported == [
        {"id": "w", "tag": "timeDate", "reason": "the timer date 2001-01-01T00:00:00 is past"}
    ]


def test_a_model_only_diagram_imports_but_does_not_deploy() -> None:
    definition = services.definition_upload(actor=None, xml=_process(SIMPLE, executable=b"false"))
    assert definition.is_executable is False
    with pytest.raises(DomainError) as err:
        services.definition_deploy(actor=None, definition=definition)
    assert err.value.code == "bpm.not_executable"


def test_only_an_admin_uploads(two_teams: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as err:
        services.definition_upload(actor=two_teams["head_a"], xml=_process(SIMPLE))
    assert err.value.status == 403


def test_export_keeps_every_id_and_the_diagram(approval_xml: bytes) -> None:
    from greenwave.bpm.engine import element_ids

    definition = services.definition_upload(actor=None, xml=approval_xml)
    exported = services.definition_export(definition=definition)
    assert element_ids(exported) == element_ids(approval_xml)
    assert b"BPMNDiagram" in exported


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os')",
        "().__class__.__bases__",
        "open('/etc/passwd')",
        "[x for x in range(10)]",
        "lambda: 1",
        "9 ** 9 ** 9",
        "'a' * 10 ** 9",
        "getattr(1, 'real')",
    ],
)
def test_the_sandbox_refuses_hostile_expressions(expression: str) -> None:
    with pytest.raises(sandbox.SandboxError):
        sandbox.evaluate(expression, {})


def test_the_sandbox_error_for_import_is_clear() -> None:
    with pytest.raises(sandbox.SandboxError, match="Calling '__import__' is not allowed"):
        sandbox.evaluate("__import__('os')")


def test_the_sandbox_evaluates_ordinary_conditions() -> None:
    names = {"amount": 150_000, "client": {"tier": "A"}, "role": "Lawyer"}
    assert sandbox.evaluate("amount > 100000 and client['tier'] in ('A', 'B')", names) is True
    assert sandbox.evaluate("role.lower() == 'lawyer'", names) is True
    assert sandbox.evaluate("len([1, 2]) + max(1, 3)", {}) == 5
    assert sandbox.execute("x = amount // 1000\nif x > 100:\n    big = True", names)["big"]
