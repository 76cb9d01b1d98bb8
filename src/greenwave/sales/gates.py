"""Stage gates: is the verifiable output of a stage met by a deal?

A checklist item is one of
  {"kind": "field", "field": <one of GATE_FIELDS>}
  {"kind": "document", "document": <DocumentKind>}   (met by a document with an uploaded file)
  {"kind": "activity", "activity": <event activity name, e.g. "meeting_completed">}
  {"kind": "approval", "approval": <ApprovalKind>}
Activities are read from the event log (any event of that activity that involves the deal),
so the gate needs no knowledge of the app that recorded the call or meeting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from greenwave.core.event_labels import activity_label
from greenwave.core.models import Event

from .models import ApprovalKind, Deal, DocumentKind, Stage

GATE_FIELDS: dict[str, tuple[Any, Callable[[Deal], bool]]] = {
    "amount": (lambda: _("amount"), lambda d: d.amount > 0),
    "expected_close_date": (
        lambda: _("expected close date"),
        lambda d: d.expected_close_date is not None,
    ),
    "responsible": (lambda: _("responsible"), lambda d: d.responsible_id is not None),
    "description": (lambda: _("description"), lambda d: bool(d.description.strip())),
}


@dataclass(frozen=True)
class GateItem:
    kind: str
    key: str
    label: str
    met: bool

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "label": self.label, "met": self.met}


def checklist_errors(checklist: Any) -> list[str]:
    """Validate an admin-typed checklist; each problem as a readable line."""
    if not isinstance(checklist, list):
        return [_("The checklist must be a list.")]
    problems: list[str] = []
    valid = {
        "field": set(GATE_FIELDS),
        "document": set(DocumentKind.values),
        "approval": set(ApprovalKind.values),
    }
    for index, item in enumerate(checklist, start=1):
        kind = item.get("kind") if isinstance(item, dict) else None
        key = item.get(kind) if isinstance(item, dict) and isinstance(kind, str) else None
        if kind == "activity":
            if not isinstance(key, str) or not key.strip():
                problems.append(_("Item %(n)s: name the activity.") % {"n": index})
        elif kind in valid:
            if key not in valid[kind]:
                problems.append(
                    _("Item %(n)s: unknown %(kind)s “%(key)s”.")
                    % {"n": index, "kind": kind, "key": key}
                )
        else:
            problems.append(_("Item %(n)s: unknown kind “%(kind)s”.") % {"n": index, "kind": kind})
    return problems


# Apps that keep a deal's papers as records of their own (the invoices of `documents`) tell
# the gate which document kinds a deal has: `source(deal, wanted kinds) -> kinds it has`.
# Registered in their AppConfig.ready(), so sales needs no import of them.
DocumentSource = Callable[[Deal, set[str]], set[str]]
_DOCUMENT_SOURCES: list[DocumentSource] = []


def register_document_source(source: DocumentSource) -> None:
    if source not in _DOCUMENT_SOURCES:
        _DOCUMENT_SOURCES.append(source)


def _documents_from_sources(deal: Deal, wanted: set[str]) -> set[str]:
    found: set[str] = set()
    for source in _DOCUMENT_SOURCES:
        if wanted - found:
            found |= source(deal, wanted - found)
    return found


def deal_has_document(deal: Deal, kind: str) -> bool:
    """Whether an app that keeps the deal's papers as its own records has one of this kind."""
    return kind in _documents_from_sources(deal, {kind})


def _done_activities(deal: Deal, wanted: set[str]) -> set[str]:
    if not wanted:
        return set()
    key = str(deal.pk)
    # Two index lookups in one statement: the deal's own events and the events linked to it.
    # An OR across the join to the links would scan the whole event log (≈0.35 s per forward
    # move at 445 000 events, growing with the log).
    own = Event.objects.filter(case_type="deal", case_id=key, activity__in=wanted)
    linked = Event.objects.filter(
        links__object_type="deal", links__object_id=key, activity__in=wanted
    )
    found = own.values_list("activity", flat=True).union(linked.values_list("activity", flat=True))
    return set(found)


def stage_activities(stages: Iterable[Stage]) -> set[str]:
    """The activities the output checklists of the stages ask for."""
    return {
        item["activity"]
        for stage in stages
        for item in stage.output_checklist or []
        if item.get("kind") == "activity"
    }


def done_activity_columns(wanted: Iterable[str]) -> dict[str, Exists]:
    """Columns for a read of deal rows telling whether each wanted activity is done on the row
    (its own events, the events linked to it: two index lookups each, as `_done_activities`),
    named `done_<n>_own` and `done_<n>_linked` in the order of `sorted(wanted)`; a stage move
    reads them with the deal's lock instead of reading the event log once more."""
    key = Cast(OuterRef("pk"), CharField())
    columns: dict[str, Exists] = {}
    for n, activity in enumerate(sorted(wanted)):
        columns[f"done_{n}_own"] = Exists(
            Event.objects.filter(case_type="deal", case_id=key, activity=activity)
        )
        columns[f"done_{n}_linked"] = Exists(
            Event.objects.filter(links__object_type="deal", links__object_id=key, activity=activity)
        )
    return columns


def done_activities_of(row: Any, wanted: Iterable[str]) -> set[str]:
    """The wanted activities done, from a row read with `done_activity_columns(wanted)`."""
    return {
        activity
        for n, activity in enumerate(sorted(wanted))
        if getattr(row, f"done_{n}_own") or getattr(row, f"done_{n}_linked")
    }


# Written by the bpm app when a process run ends, linked to the deal the run is for, with the
# payload {"definition": <process key>, "outcome": "approved" | "rejected" | …}.
PROCESS_COMPLETED = "process_completed"
APPROVED = "approved"


def process_outcome(deal: Deal, process_key: str) -> str:
    """The outcome of the latest finished run of the process for the deal ("" if none)."""
    payload = (
        Event.objects.filter(
            case_type="process_instance",
            activity=PROCESS_COMPLETED,
            links__object_type="deal",
            links__object_id=str(deal.pk),
            payload__definition=process_key,
        )
        .order_by("-timestamp", "-pk")
        .values_list("payload", flat=True)
        .first()
    )
    return str((payload or {}).get("outcome") or "")


def evaluate_stage(
    deal: Deal, stage: Stage, *, done_activities: set[str] | None = None
) -> list[GateItem]:
    """Every checklist item of the stage with whether the deal meets it (4 queries at most,
    plus one per registered document source when a document is still missing; the event log
    is not read for activities when the caller has read which are done: `done_activities`).

    A stage that names its process (the contract approval of «Договор») has its approvals met
    by the approved outcome of that process's latest run for the deal: the approvers do not
    approve twice. A rejected run meets nothing."""
    items: list[dict[str, str]] = list(stage.output_checklist or [])
    # A document counts only with its file: a title alone is a promise, not the output.
    # Each kind of record is read only when the checklist asks for it.
    wanted_documents = {i.get("document", "") for i in items if i.get("kind") == "document"}
    documents = (
        set(deal.documents.exclude(file="").values_list("kind", flat=True))
        if wanted_documents
        else set()
    )
    if wanted_documents - documents:
        documents |= _documents_from_sources(deal, wanted_documents - documents)
    wanted = {i.get("approval", "") for i in items if i.get("kind") == "approval"}
    approvals = set(deal.approvals.values_list("kind", flat=True)) if wanted else set()
    # The event log is read only when an approval is still missing.
    opened = bool(wanted - approvals and stage.opening_process)
    if opened and process_outcome(deal, stage.opening_process) == APPROVED:
        approvals |= wanted
    wanted_activities = {i["activity"] for i in items if i.get("kind") == "activity"}
    activities = (
        _done_activities(deal, wanted_activities)
        if done_activities is None
        else wanted_activities & done_activities
    )
    result: list[GateItem] = []
    for item in items:
        kind = item.get("kind", "")
        key = item.get(kind, "")
        if kind == "field" and key in GATE_FIELDS:
            label_fn, check = GATE_FIELDS[key]
            result.append(GateItem(kind, key, _("Field filled: %s") % label_fn(), check(deal)))
        elif kind == "document":
            label = DocumentKind(key).label if key in DocumentKind.values else key
            result.append(GateItem(kind, key, _("Document attached: %s") % label, key in documents))
        elif kind == "approval":
            label = ApprovalKind(key).label if key in ApprovalKind.values else key
            result.append(GateItem(kind, key, _("Approval: %s") % label, key in approvals))
        elif kind == "activity":
            result.append(
                GateItem(kind, key, _("Done: %s") % activity_label(key), key in activities)
            )
    return result


def unmet(items: Iterable[GateItem]) -> list[GateItem]:
    return [i for i in items if not i.met]
