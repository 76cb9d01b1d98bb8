"""Why a BPMN file is refused or cannot run, as people read it: SpiffWorkflow's validation
messages reworded by the engine (the element, its tag and line kept), translated at display,
and never with Spiff's «.. » or a doubled «. .»."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from greenwave.bpm import services
from greenwave.bpm.engine.reasons import spiff_reason
from greenwave.bpm.reasons import reason_text
from greenwave.core.errors import DomainError

pytestmark = pytest.mark.django_db

HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
    b'targetNamespace="x">\n<bpmn:process id="p" isExecutable="true">\n'
)
TAIL = b"\n</bpmn:process></bpmn:definitions>"
START = b'<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>\n'
# A call activity that names no process (Spiff: 'No "calledElement" attribute …' + ". ").
NO_CALLED_ELEMENT = (
    HEAD
    + START
    + b'<bpmn:callActivity id="call">\n<bpmn:incoming>f1</bpmn:incoming></bpmn:callActivity>\n'
    + b'<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call"/>'
    + TAIL
)
NO_START = HEAD + b'<bpmn:task id="t"/>' + TAIL
UNCONDITIONED_FLOW = (
    HEAD
    + START
    + b'<bpmn:exclusiveGateway id="g"/><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>\n'
    + b'<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g"/>\n'
    + b'<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="e1"/>\n'
    + b'<bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="e2"/>'
    + TAIL
)


@pytest.mark.parametrize(
    ("xml", "element", "tag", "line", "ru"),
    [
        (
            NO_CALLED_ELEMENT,
            "call",
            "callActivity",
            "5",
            "вызов подпроцесса не называет вызываемый процесс (calledElement)",
        ),
        (NO_START, "p", "process", "3", "у процесса нет начального события"),
        (
            UNCONDITIONED_FLOW,
            "f2",
            "sequenceFlow",
            "7",
            "этот поток выходит из исключающего шлюза без условия и не отмечен как поток "
            "по умолчанию",
        ),
    ],
)
def test_spiff_validation_is_named_by_element_tag_and_line_in_both_languages(
    xml: bytes, element: str, tag: str, line: str, ru: str
) -> None:
    definition = services.definition_upload(actor=None, xml=xml, key="bad")
    (problem,) = definition.unsupported
    assert (problem["id"], problem["tag"], problem["line"]) == (element, tag, line)
    reason = problem["reason"]
    assert ".." not in reason
    assert not reason.endswith((".", " "))
    with translation.override("ru"):
        assert reason_text(reason) == ru
    with translation.override("en"):
        assert reason_text(reason) == reason


def test_a_refused_upload_and_deploy_says_why_once_without_doubled_stops() -> None:
    with translation.override("ru"), pytest.raises(DomainError) as refused:
        services.definition_upload_and_deploy(actor=None, xml=NO_CALLED_ELEMENT, key="bad")
    message = str(refused.value.message)
    assert "call: вызов подпроцесса не называет вызываемый процесс (calledElement)." in message
    assert ". ." not in message
    assert ".." not in message


def test_the_upload_page_refuses_a_broken_file_in_russian(two_teams: dict[str, Any]) -> None:
    client = Client()
    client.force_login(two_teams["admin"])
    page = client.post(
        "/processes/definitions/upload/",
        {"file": SimpleUploadedFile("a.bpmn", HEAD + b"<bpmn:startEvent"), "key": "broken"},
    )
    text = page.content.decode()
    assert "Файл не является корректным XML" in text
    assert "not well-formed" not in text


def test_the_definition_page_names_the_line_in_russian(two_teams: dict[str, Any]) -> None:
    definition = services.definition_upload(actor=None, xml=NO_START, key="bad")
    client = Client()
    client.force_login(two_teams["admin"])
    text = client.get(f"/processes/definitions/{definition.pk}/").content.decode()
    assert "(строка 3)" in text
    assert "у процесса нет начального события" in text


@pytest.mark.parametrize(
    ("spiff", "reason"),
    [
        (
            'No "calledElement" attribute for Call Activity.. ',
            "the call activity does not name the process it calls (calledElement)",
        ),
        ("Time Specification Error. bad text. ", "the timer's time cannot be read: bad text"),
        ("Something Spiff says. . ", "Something Spiff says"),
    ],
)
def test_spiffs_own_punctuation_is_tidied(spiff: str, reason: str) -> None:
    assert spiff_reason(spiff) == reason
