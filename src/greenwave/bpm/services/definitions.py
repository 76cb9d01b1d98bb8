"""Process definitions: upload a BPMN file as the next version of its key (with what the
engine cannot run named), deploy a version, export it, install the built-in library."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError, permission_denied
from greenwave.core.services import event_append
from greenwave.decisions import selectors as decisions

from .. import engine, events
from ..errors import BpmError
from ..models import (
    DefinitionStatus,
    ProcessDefinition,
)
from ..reasons import reason_text


def can_manage_definitions(actor: User | None) -> bool:
    return actor is None or actor.is_greenwave_admin


def _require_designer(actor: User | None) -> None:
    if not can_manage_definitions(actor):
        raise permission_denied(_("Only an administrator can upload and deploy processes."))


def _read(xml: bytes) -> engine.BpmnDocument:
    try:
        return engine.read_document(xml)
    except engine.BpmnFileError as exc:
        raise DomainError(
            BpmError.INVALID_BPMN, reason_text(exc.message), details=exc.details
        ) from exc


def _called_definitions(
    xml: bytes, doc: engine.BpmnDocument
) -> tuple[dict[str, int], list[dict[str, str]]]:
    """The stored definitions that the call activities name by process key (Camunda's
    `calledElement`, Zeebe's `processId`) when the file does not hold that process: the
    latest deployed version of each, pinned in the metadata so that an instance always
    runs the version it started with. Calls of processes not deployed are named."""
    own = {p["id"] for p in doc.processes}
    pinned: dict[str, int] = {}
    missing: list[dict[str, str]] = []
    for element_id, process_key in engine.called_processes(xml).items():
        if process_key in own or process_key in pinned:
            continue
        found = (
            ProcessDefinition.objects.filter(status=DefinitionStatus.DEPLOYED)
            .filter(Q(key=process_key) | Q(process_id=process_key))
            .order_by("-deployed_at", "-version")
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            missing.append(
                {
                    "id": element_id,
                    "tag": "callActivity",
                    "reason": str(
                        _("calls the process %(key)s, which is not deployed; deploy it first")
                        % {"key": process_key}
                    ),
                }
            )
        else:
            pinned[process_key] = found
    return pinned, missing


def _called_files(called: Mapping[str, Any]) -> dict[str, bytes]:
    rows = ProcessDefinition.objects.filter(pk__in=[int(pk) for pk in called.values()])
    by_pk = {row.pk: row.xml_bytes for row in rows}
    return {key: by_pk[int(pk)] for key, pk in called.items() if int(pk) in by_pk}


def _compile(definition: ProcessDefinition) -> engine.CompiledProcess:
    called = definition.metadata.get("called") or {}
    return engine.compile_process(
        definition.xml_bytes, definition.process_id, _called_files(called) if called else None
    )


def _problems(
    xml: bytes, doc: engine.BpmnDocument, called: Mapping[str, int], missing_calls: bool = False
) -> list[dict[str, str]]:
    found = [u.as_dict() for u in doc.unsupported]
    if not doc.is_executable or any(u.tag == "sequenceFlow" for u in doc.unsupported):
        return found  # a flow to nowhere: the engine's own message about it misleads
    found += [
        u.as_dict()
        for u in engine.check_executable(
            xml, doc.main_process_id, _called_files(called) if called else None
        )
        # A call of a process that is not deployed is named once, by Greenwave.
        if not (missing_calls and "was not found" in u.reason)
    ]
    now = timezone.now()
    for element_id, text in doc.timer_dates.items():
        try:
            moment = datetime.fromisoformat(text.strip("'\""))
        except ValueError:
            continue
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if moment < now:
            found.append(
                {"id": element_id, "tag": "timeDate", "reason": f"the timer date {text} is past"}
            )
    for element_id, action in doc.service_actions.items():
        from ..actions import action_names

        if action.startswith("decision:"):
            reason = _decision_missing(action.split(":", 2)[1])
            if reason:
                found.append({"id": element_id, "tag": "businessRuleTask", "reason": reason})
        elif action not in action_names():
            found.append(
                {"id": element_id, "tag": "serviceTask", "reason": f"unknown action {action!r}"}
            )
    return found


def _decision_missing(key: str) -> str:
    """Why a business-rule task's decision cannot be evaluated ("" if it can): the decision
    must be stored and deployed in Decisions under the key the task names."""
    try:
        decisions.decision_for_evaluation(actor=None, key=key)
    except DomainError:
        return str(
            _("the decision %(key)s is not deployed in Decisions; upload its DMN with this key")
            % {"key": key}
        )
    return ""


@transaction.atomic
def definition_upload(
    *, actor: User | None, xml: bytes, key: str = "", name: str = "", description: str = ""
) -> ProcessDefinition:
    """Store the file as the next version of its key (a draft until deployed)."""
    _require_designer(actor)
    doc = _read(xml)
    key = (key or doc.main_process_id).strip()[:100]
    if not key:
        raise DomainError(BpmError.INVALID_BPMN, _("The process has no id."))
    # Serialise versions of one key.
    ProcessDefinition.objects.select_for_update().filter(key=key).exists()
    latest = ProcessDefinition.objects.filter(key=key).aggregate(v=Max("version"))["v"] or 0
    called, missing = _called_definitions(xml, doc) if doc.is_executable else ({}, [])
    metadata = doc.metadata()
    if called:
        metadata["called"] = called
    definition = ProcessDefinition.objects.create(
        key=key,
        name=(name or doc.name or key)[:200],
        version=latest + 1,
        xml=xml,
        is_executable=doc.is_executable,
        process_id=doc.main_process_id,
        metadata=metadata,
        unsupported=missing + _problems(xml, doc, called, bool(missing)),
        description=description,
        created_by=actor,
    )
    event_append(
        case_type=definition.EVENT_CASE_TYPE,
        case_id=definition.pk,
        activity=events.DEFINITION_UPLOADED,
        actor=actor,
        payload={"key": key, "version": definition.version, "unsupported": definition.unsupported},
    )
    return definition


@transaction.atomic
def definition_deploy(*, actor: User | None, definition: ProcessDefinition) -> ProcessDefinition:
    """Make this version the one new instances start on; running ones stay on theirs."""
    _require_designer(actor)
    definition = ProcessDefinition.objects.select_for_update().get(pk=definition.pk)
    if not definition.is_executable:
        raise DomainError(
            BpmError.NOT_EXECUTABLE,
            _("This diagram is a model, not a program: no process is marked executable."),
        )
    if definition.unsupported:
        raise DomainError(
            BpmError.UNSUPPORTED_ELEMENTS,
            _("The engine cannot execute these elements: %(items)s.")
            % {
                "items": "; ".join(
                    f"{u.get('id') or u.get('tag')}: {reason_text(u.get('reason')).rstrip('.')}"
                    for u in definition.unsupported
                )
            },
            details={"unsupported": definition.unsupported},
        )
    if definition.status != DefinitionStatus.DEPLOYED:
        definition.status = DefinitionStatus.DEPLOYED
        definition.deployed_at = timezone.now()
        definition.save(update_fields=["status", "deployed_at", "updated_at"])
        event_append(
            case_type=definition.EVENT_CASE_TYPE,
            case_id=definition.pk,
            activity=events.DEFINITION_DEPLOYED,
            actor=actor,
            payload={"key": definition.key, "version": definition.version},
        )
    return definition


def definition_upload_and_deploy(
    *, actor: User | None, xml: bytes, key: str = "", name: str = ""
) -> ProcessDefinition:
    with transaction.atomic():
        definition = definition_upload(actor=actor, xml=xml, key=key, name=name)
        return definition_deploy(actor=actor, definition=definition)


def definition_export(*, definition: ProcessDefinition) -> bytes:
    """The uploaded bytes, untouched: ids, the diagram, foreign extensions, comments,
    whitespace, quoting and the XML declaration exactly as the modeler wrote them."""
    return bytes(definition.xml_bytes)


def library_install(*, actor: User | None) -> list[ProcessDefinition]:
    """Deploy the built-in processes; a key whose latest version is the same file is skipped."""
    from ..library import library_xml

    _require_designer(actor)
    installed = []
    for key, xml in library_xml().items():
        latest = ProcessDefinition.objects.filter(key=key).order_by("-version").first()
        if latest is not None and latest.xml_bytes == xml:
            continue
        installed.append(definition_upload_and_deploy(actor=actor, xml=xml, key=key))
    return installed
