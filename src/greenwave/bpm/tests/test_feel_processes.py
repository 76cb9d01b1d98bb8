"""FEEL as a process expression language, other modelers' extensions, byte-faithful export
and the conformance corpus of hand-written exports (`tests/conformance/`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from greenwave.accounts.models import RoleCode
from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, Incident, InstanceStatus, ProcessDefinition, TaskStatus
from greenwave.core.errors import DomainError

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).parent / "conformance"

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x"{extra}>'
    '<bpmn:process id="p" isExecutable="true">{body}</bpmn:process></bpmn:definitions>'
)


def _xml(body: str, extra: str = "") -> bytes:
    return HEAD.format(body=body, extra=extra).encode()


def _gateway(condition: str, *, language: str = "") -> str:
    lang = f' language="{language}"' if language else ""
    return (
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g"/>'
        '<bpmn:exclusiveGateway id="g" default="small"/>'
        '<bpmn:sequenceFlow id="big" sourceRef="g" targetRef="e_big">'
        f"<bpmn:conditionExpression{lang}>"
        f"{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="small" sourceRef="g" targetRef="e_small"/>'
        '<bpmn:endEvent id="e_big"/><bpmn:endEvent id="e_small"/>'
    )


def _ended_at(instance: Any) -> str:
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.COMPLETED, instance.status
    return next(k for k in ("e_big", "e_small") if instance.element_states.get(k) == "done")


def _run_command(*args: str) -> list[str]:
    out = StringIO()
    call_command("bpmn_conformance", *args, stdout=out)
    return out.getvalue().strip().splitlines()


# -- the corpus -----------------------------------------------------------------------------


def test_the_corpus_imports_every_file_and_runs_at_least_nine_in_ten_executable_ones() -> None:
    lines = _run_command("--run", str(CORPUS))
    summary = lines[-2]
    found = re.match(
        r"files (\d+), imported (\d+), executable (\d+), deployed (\d+) \(\d+ %\), "
        r"ran to an end (\d+)",
        summary,
    )
    assert found, "\n".join(lines)
    files, imported, executable, deployed, ran = map(int, found.groups())
    assert files == len(list(CORPUS.glob("*.bpmn")))
    assert imported == files, "\n".join(lines)
    assert executable >= 10
    assert deployed / executable >= 0.9, "\n".join(lines)
    assert ran / executable >= 0.9, "\n".join(lines)
    assert lines[-1] == f"{files} passed, 0 failed"
    # Every modeler's dialect is in the corpus.
    for vendor in ("camunda7", "camunda8", "signavio", "trisotech", "aris", "adonis"):
        assert any(p.name.startswith(vendor) for p in CORPUS.glob("*.bpmn")), vendor
    assert ProcessDefinition.objects.count() == 0  # nothing kept


def test_compensation_that_nothing_can_trigger_runs_without_its_handlers() -> None:
    # The corpus's Camunda 7 booking: a compensation boundary event and its handler, but no
    # compensation throw and no transaction, so BPMN never starts the handler.
    lines = _run_command("--run", str(CORPUS / "camunda7_compensation.bpmn"))
    assert lines[0].startswith("PASS camunda7_compensation.bpmn"), lines
    assert "unsupported" not in lines[0], lines
    assert lines[0].endswith(" · run: ended"), lines
    assert "deployed 1 (100 %)" in lines[1], lines


def test_a_compensation_that_would_run_is_named_per_element(tmp_path: Path) -> None:
    data = (CORPUS / "camunda7_compensation.bpmn").read_text(encoding="utf-8")
    end = '<bpmn:endEvent id="EndEvent_1"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>'
    assert end in data
    throw = end.replace(
        "</bpmn:incoming>", '</bpmn:incoming><bpmn:compensateEventDefinition id="Throw_1"/>'
    )
    path = tmp_path / "compensation_thrown.bpmn"
    path.write_text(data.replace(end, throw), encoding="utf-8")
    lines = _run_command(str(path))
    assert "names unsupported" in lines[0], lines
    assert "deployed 0 (0 %)" in lines[1], lines
    assert "Event_compensate_hotel (boundaryEvent): compensation is not executable" in lines[0]
    assert "EndEvent_1 (endEvent): compensation is not executable" in lines[0]
    assert "Task_cancel_hotel (serviceTask): a compensation handler" in lines[0]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.bpmn")), ids=lambda p: p.stem)
def test_an_uploaded_file_is_exported_byte_for_byte(path: Path) -> None:
    data = path.read_bytes()
    definition = services.definition_upload(actor=None, xml=data, key=path.stem)
    assert services.definition_export(definition=definition) == data


def test_foreign_extensions_comments_and_quoting_survive_the_round_trip() -> None:
    data = (
        b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\r\n<!-- exported -->\r\n"
        + _xml(
            '<bpmn:extensionElements><acme:meta xmlns:acme="urn:acme" id="p" a = "1"/>'
            "</bpmn:extensionElements><bpmn:startEvent id='s'/>"
        ).split(b"\n", 1)[1]
    )
    definition = services.definition_upload(actor=None, xml=data)
    assert services.definition_export(definition=definition) == data


# -- FEEL expressions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "extra", "language"),
    [
        ("= amount &gt; 1000", "", ""),  # Camunda 8's prefix
        (
            "amount &gt; 1000",
            ' expressionLanguage="https://www.omg.org/spec/DMN/20191111/FEEL/"',
            "",
        ),
        ("amount &gt; 1000", "", "http://www.omg.org/spec/FEEL/20140401"),
        ("amount &gt; 1000", "", ""),  # the Python-like language, as before
    ],
)
def test_a_condition_routes_in_feel_or_in_the_python_like_language(
    deploy: Callable[..., ProcessDefinition], condition: str, extra: str, language: str
) -> None:
    definition = deploy(_xml(_gateway(condition, language=language), extra))
    big = services.instance_start(actor=None, definition=definition, variables={"amount": 1500})
    small = services.instance_start(actor=None, definition=definition, variables={"amount": 10})
    assert (_ended_at(big), _ended_at(small)) == ("e_big", "e_small")


def test_feel_names_with_spaces_and_feel_only_constructs_evaluate(
    deploy: Callable[..., ProcessDefinition],
) -> None:
    condition = '= some r in Risk Levels satisfies r = "red" and Order Total &gt; 10'
    definition = deploy(_xml(_gateway(condition)))
    red = services.instance_start(
        actor=None,
        definition=definition,
        variables={"Risk Levels": ["green", "red"], "Order Total": 20},
    )
    green = services.instance_start(
        actor=None, definition=definition, variables={"Risk Levels": ["green"], "Order Total": 20}
    )
    assert (_ended_at(red), _ended_at(green)) == ("e_big", "e_small")


def test_a_feel_syntax_error_is_named_on_its_element_and_the_version_is_not_deployed() -> None:
    definition = services.definition_upload(actor=None, xml=_xml(_gateway("= amount &gt;")))
    assert [(u["id"], u["tag"]) for u in definition.unsupported] == [("big", "conditionExpression")]
    assert "FEEL syntax error" in definition.unsupported[0]["reason"]
    with pytest.raises(DomainError):
        services.definition_deploy(actor=None, definition=definition)


def test_a_feel_error_at_run_time_raises_a_visible_incident_on_the_element(
    deploy: Callable[..., ProcessDefinition], django_user_model: Any
) -> None:
    starter = django_user_model.objects.create(username="starter", is_superuser=True)
    body = (
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="ask"/>'
        '<bpmn:userTask id="ask" name="Rate"><bpmn:extensionElements><gw:form>'
        '<gw:field name="rate" type="string"/></gw:form></bpmn:extensionElements></bpmn:userTask>'
        '<bpmn:sequenceFlow id="f1" sourceRef="ask" targetRef="calc"/>'
        '<bpmn:scriptTask id="calc"><bpmn:extensionElements>'
        '<zeebe:script expression="=amount / rate" resultVariable="share"/>'
        "</bpmn:extensionElements></bpmn:scriptTask>"
        '<bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="e"/><bpmn:endEvent id="e"/>'
    )
    definition = deploy(_xml(body, ' xmlns:gw="https://greenwave.dev/schema/bpmn"'))
    instance = services.instance_start(
        actor=starter, definition=definition, variables={"amount": 10}
    )
    task = HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)
    services.task_complete(actor=starter, task=task, data={"rate": "ten"})
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.FAILED
    incident = Incident.objects.get(instance=instance)
    assert incident.element_id == "calc"
    assert "cannot apply / to number and string" in incident.error
    assert "share" not in instance.variables  # nothing half-written


def test_feel_scripts_and_zeebe_io_mappings_write_the_variables_they_name(
    deploy: Callable[..., ProcessDefinition],
) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="calc"/>'
        '<bpmn:scriptTask id="calc"><bpmn:extensionElements>'
        '<zeebe:script expression="=sum(for i in items return i.price)" resultVariable="total"/>'
        '<zeebe:ioMapping><zeebe:input source="=count(items)" target="n"/>'
        '<zeebe:output source="=total / n" target="average price"/>'
        '<zeebe:output source="fixed" target="label"/></zeebe:ioMapping>'
        "</bpmn:extensionElements></bpmn:scriptTask>"
        '<bpmn:sequenceFlow id="f1" sourceRef="calc" targetRef="e"/><bpmn:endEvent id="e"/>'
    )
    definition = deploy(_xml(body))
    instance = services.instance_start(
        actor=None,
        definition=definition,
        variables={"items": [{"price": 10}, {"price": 30}]},
    )
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.variables["total"] == 40
    assert instance.variables["average price"] == 20
    assert instance.variables["label"] == "fixed"


def test_a_feel_timer_duration_sets_the_due_time(deploy: Callable[..., ProcessDefinition]) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="t"/>'
        '<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:timeDuration>'
        '=duration("PT" + string(hours) + "H")</bpmn:timeDuration></bpmn:timerEventDefinition>'
        "</bpmn:intermediateCatchEvent>"
        '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e"/>'
    )
    definition = deploy(_xml(body))
    instance = services.instance_start(actor=None, definition=definition, variables={"hours": 5})
    timer = instance.timers.get()
    assert timer.due_at is not None
    hours = (timer.due_at - instance.created_at).total_seconds() / 3600
    assert 4.9 < hours < 5.1


def test_variable_names_are_identifiers_or_feel_names_with_single_spaces(
    deploy: Callable[..., ProcessDefinition],
) -> None:
    definition = deploy(_xml('<bpmn:startEvent id="s"/>'))
    for bad in ("_engine", "two  spaces", " lead", "a-b"):
        with pytest.raises(DomainError):
            services.instance_start(actor=None, definition=definition, variables={bad: 1})


# -- other modelers' extensions -------------------------------------------------------------


def test_zeebe_assignment_maps_groups_to_roles_and_the_assignee_expression(
    deploy: Callable[..., ProcessDefinition], django_user_model: Any
) -> None:
    starter = django_user_model.objects.create(username="starter", is_superuser=True)
    body = (
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="t"/>'
        '<bpmn:userTask id="t" name="Approve"><bpmn:extensionElements>'
        '<zeebe:assignmentDefinition assignee="=initiator" '
        'candidateGroups="=[&quot;partners&quot;, &quot;head_of_sales&quot;]"/>'
        '<zeebe:formDefinition formId="approve-form"/>'
        "</bpmn:extensionElements></bpmn:userTask>"
    )
    definition = deploy(_xml(body))
    meta = definition.metadata["user_tasks"]["t"]
    assert meta["candidate_groups"] == ["partners", "head_of_sales"]
    assert meta["form_ref"] == "approve-form"
    instance = services.instance_start(actor=starter, definition=definition)
    task = HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)
    assert task.assignee == starter
    assert task.candidate_role == RoleCode.HEAD_OF_SALES


def test_camunda_form_data_becomes_the_task_form(deploy: Callable[..., ProcessDefinition]) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="t"/>'
        '<bpmn:userTask id="t" camunda:candidateUsers="alice"><bpmn:extensionElements>'
        '<camunda:formData><camunda:formField id="approved" label="OK?" type="boolean"/>'
        '<camunda:formField id="level" type="enum"><camunda:value id="a" name="A"/>'
        "</camunda:formField></camunda:formData></bpmn:extensionElements></bpmn:userTask>"
    )
    meta = deploy(_xml(body)).metadata["user_tasks"]["t"]
    assert [(f["name"], f["type"]) for f in meta["form"]] == [
        ("approved", "boolean"),
        ("level", "choice"),
    ]
    assert meta["assignee"] == "alice"  # the single candidate user
    assert meta["form_ref"] == ""


def test_a_decision_the_task_names_must_be_stored_in_decisions() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="r"/>'
        '<bpmn:businessRuleTask id="r"><bpmn:extensionElements>'
        '<zeebe:calledDecision decisionId="no_such_decision" resultVariable="x"/>'
        "</bpmn:extensionElements></bpmn:businessRuleTask>"
    )
    definition = services.definition_upload(actor=None, xml=_xml(body))
    assert [u["id"] for u in definition.unsupported] == ["r"]
    assert "no_such_decision" in definition.unsupported[0]["reason"]


def test_a_called_process_is_bound_by_key_and_pinned_to_its_deployed_version(
    deploy: Callable[..., ProcessDefinition],
) -> None:
    caller = _xml(
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="c"/>'
        '<bpmn:callActivity id="c"><bpmn:extensionElements>'
        '<zeebe:calledElement processId="child"/></bpmn:extensionElements></bpmn:callActivity>'
        '<bpmn:sequenceFlow id="f1" sourceRef="c" targetRef="e"/><bpmn:endEvent id="e"/>'
    )
    missing = services.definition_upload(actor=None, xml=caller)
    assert [(u["id"], u["tag"]) for u in missing.unsupported] == [("c", "callActivity")]
    child = deploy(
        _xml(
            '<bpmn:startEvent id="cs"/><bpmn:sequenceFlow id="cf" sourceRef="cs" '
            'targetRef="ct"/><bpmn:scriptTask id="ct"><bpmn:extensionElements>'
            '<zeebe:script expression="=&quot;done&quot;" resultVariable="child_result"/>'
            "</bpmn:extensionElements></bpmn:scriptTask>"
            '<bpmn:sequenceFlow id="cf2" sourceRef="ct" targetRef="ce"/><bpmn:endEvent id="ce"/>'
        ).replace(b'id="p"', b'id="child"'),
        key="child",
    )
    definition = deploy(caller)
    assert definition.metadata["called"] == {"child": child.pk}
    instance = services.instance_start(actor=None, definition=definition)
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.COMPLETED


def test_the_modeler_starts_new_diagrams_in_feel(client: Any, django_user_model: Any) -> None:
    admin = django_user_model.objects.create(username="designer", is_superuser=True)
    client.force_login(admin)
    from django.urls import reverse

    blank = client.get(reverse("bpm:blank_diagram")).content
    assert b'expressionLanguage="https://www.omg.org/spec/DMN/20191111/FEEL/"' in blank
    definition = services.definition_upload(actor=None, xml=blank)
    assert definition.unsupported == []


def test_a_task_with_several_outgoing_flows_splits_as_bpmn_says(
    deploy: Callable[..., ProcessDefinition],
) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="t"/>'
        '<bpmn:serviceTask id="t" default="f_default"/>'
        '<bpmn:sequenceFlow id="f_small" sourceRef="t" targetRef="e_small">'
        "<bpmn:conditionExpression>= amount &gt; 10</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f_big" sourceRef="t" targetRef="e_big">'
        "<bpmn:conditionExpression>= amount &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f_default" sourceRef="t" targetRef="e_default"/>'
        '<bpmn:endEvent id="e_small"/><bpmn:endEvent id="e_big"/><bpmn:endEvent id="e_default"/>'
    )
    definition = deploy(_xml(body))
    reached = {}
    for amount in (500, 50, 1):
        instance = services.instance_start(
            actor=None, definition=definition, variables={"amount": amount}
        )
        instance.refresh_from_db()
        assert instance.status == InstanceStatus.COMPLETED
        reached[amount] = sorted(
            k for k in ("e_small", "e_big", "e_default") if instance.element_states.get(k)
        )
    assert reached == {500: ["e_big", "e_small"], 50: ["e_small"], 1: ["e_default"]}


def test_the_task_page_explains_a_form_the_file_does_not_carry(
    deploy: Callable[..., ProcessDefinition], django_user_model: Any, client: Any
) -> None:
    from django.urls import reverse

    starter = django_user_model.objects.create(username="starter", is_superuser=True)
    body = (
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="t"/>'
        '<bpmn:userTask id="t" name="Check" camunda:formKey="embedded:app:forms/check.html"/>'
    )
    instance = services.instance_start(actor=starter, definition=deploy(_xml(body)))
    task = HumanTask.objects.get(instance=instance)
    client.force_login(starter)
    page = client.get(reverse("bpm:task_detail", args=[task.pk])).content.decode()
    assert "embedded:app:forms/check.html" in page
    assert 'data-testid="form-ref"' in page
