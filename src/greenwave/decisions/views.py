"""HTML views of the decisions app: list, detail with versions, the dmn-js editor (its
save endpoint answers JSON for the editor script), upload, and the test page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from greenwave.accounts.http import AuthedRequest
from greenwave.core.crud import Back
from greenwave.core.errors import DomainError
from greenwave.core.guards import allowed_only
from greenwave.core.list_pages import ListPage
from greenwave.core.selectors import event_list_for_case
from greenwave.core.values import ValueRow, format_any, record_rows, value_rows

from . import selectors, services
from .forms import DecisionTestForm, DecisionUploadForm
from .library_texts import library_display_xml, library_stored_xml, library_text
from .modeling import table_views

View = Callable[..., HttpResponse]


@dataclass
class Vocabulary:
    """What a DMN model calls its inputs and outputs, and which of them are numbers (kept as
    decimal strings in JSON: "150000" is shown as 150 000)."""

    labels: dict[str, str] = field(default_factory=dict)
    numbers: set[str] = field(default_factory=set)

    def numeric(self, data: Any) -> Any:
        if isinstance(data, list):
            return [self.numeric(item) for item in data]
        if not isinstance(data, dict):
            return data
        return {k: _as_number(v) if k in self.numbers else v for k, v in data.items()}


def _as_number(value: Any) -> Any:
    try:
        return Decimal(value) if isinstance(value, str) else value
    except InvalidOperation:
        return value


def vocabulary(definition: Any) -> Vocabulary:
    """Labels in the reader's language (a built-in decision's, through `library_text`)."""
    words = Vocabulary()
    for spec in definition.inputs or []:
        if isinstance(spec, dict) and spec.get("name"):
            label = str(spec.get("label") or spec["name"])
            words.labels[str(spec["name"])] = library_text(definition.key, label)
            if str(spec.get("type_ref") or "").rsplit(".", 1)[-1].lower() == "number":
                words.numbers.add(str(spec["name"]))
    for decision in services.decision_model(definition).main.decisions.values():
        expr = decision.expression
        for output in getattr(expr, "outputs", None) or []:
            if output.name:
                label = library_text(definition.key, output.label or output.name)
                words.labels.setdefault(output.name, label)
                if (output.type_ref or "").lower() == "number":
                    words.numbers.add(output.name)
    return words


def result_view(result: Any, *, decision: str, words: Vocabulary | None = None) -> dict[str, Any]:
    """A DMN answer as people read it: several results (a collect table) as a table, one
    result's outputs as labelled rows, a single value as one row named by the decision."""
    words = words or Vocabulary()
    result = words.numeric(result)
    if isinstance(result, list) and any(isinstance(r, dict) for r in result):
        header, records = record_rows(result, labels=words.labels)
        return {"header": header, "records": records}
    if isinstance(result, dict):
        return {"rows": value_rows(result, labels=words.labels)}
    return {"rows": [ValueRow(decision, format_any(result))]}


def evaluation_rows(evaluations: list[Any], words: Vocabulary) -> list[dict[str, Any]]:
    """The evaluation history with inputs and outputs as labelled lines, not JSON."""
    return [
        {
            "evaluation": e,
            "inputs": value_rows(words.numeric(e.input), labels=words.labels),
            "outputs": result_view(e.output, decision=e.decision_name, words=words),
        }
        for e in evaluations
    ]


editor_required = allowed_only(services.can_edit_decisions)


def _upload_link(request: AuthedRequest) -> dict[str, Any]:
    """Beside the create button, an editor's way to upload a DMN file."""
    editor = services.can_edit_decisions(request.user)
    return {"upload_url": reverse("decisions:decision_upload") if editor else None}


decision_list = ListPage(
    selectors.DECISION_LIST_SPEC,
    selectors.decision_list,
    gettext_lazy("Decisions"),
    "decisions/partials/decision_table.html",
    gettext_lazy("No decisions yet."),
    create_label=gettext_lazy("New decision"),
    create_route="decisions:decision_new",
).view(may_create=services.can_edit_decisions, extra=_upload_link)


@login_required
def decision_detail(request: AuthedRequest, key: str) -> HttpResponse:
    versions = selectors.decision_versions(actor=request.user, key=key)
    context = {
        "title": library_text(key, versions[0].name),
        "key": key,
        "latest": versions[0],
        "versions": versions,
        "can_edit": services.can_edit_decisions(request.user),
        "events": event_list_for_case(case_type="decision", case_id=key)[:30],
        "evaluations": evaluation_rows(
            selectors.evaluation_list(actor=request.user, key=key), vocabulary(versions[0])
        ),
        **Back(reverse("decisions:decision_list"), _("Decisions")).context(),
    }
    return render(request, "decisions/decision_detail.html", context)


@login_required
def decision_xml(request: AuthedRequest, key: str) -> HttpResponse:
    version = int(request.GET["version"]) if request.GET.get("version", "").isdigit() else None
    definition = selectors.decision_get(actor=request.user, key=key, version=version)
    xml = definition.xml_bytes
    if request.GET.get("display"):  # the editor's copy: a built-in decision's texts translated
        xml = library_display_xml(key, xml)
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{key}-v{definition.version}.dmn"'
    return response


@editor_required
def decision_blank_xml(request: AuthedRequest) -> HttpResponse:
    xml = render_to_string("decisions/blank.dmn")
    return HttpResponse(xml, content_type="application/xml; charset=utf-8")


@editor_required
def decision_editor(request: AuthedRequest, key: str = "") -> HttpResponse:
    latest = selectors.decision_get(actor=request.user, key=key) if key else None
    context = {
        "title": library_text(key, latest.name) if latest else _("New decision"),
        "key": key,
        "latest": latest,
        "xml_url": f"{reverse('decisions:decision_xml', args=[key])}?display=1"
        if key
        else reverse("decisions:decision_blank_xml"),
    }
    return render(request, "decisions/editor.html", context)


def _as_stored(request: AuthedRequest, key: str, xml: bytes) -> bytes:
    """The editor's model with the texts it showed translated put back as the version it was
    opened from stores them (`library_stored_xml`); a new model is saved as drawn."""
    base, shown_in = request.POST.get("base_version", ""), request.POST.get("shown_in", "")
    if not key or not base.isdigit() or not shown_in:
        return xml
    opened = selectors.decision_get(actor=request.user, key=key, version=int(base))
    return library_stored_xml(key, xml, opened.xml_bytes, shown_in)


@require_POST
@editor_required
def decision_save(request: AuthedRequest) -> HttpResponse:
    """The editor's save: JSON in the API's error format, so the script shows cell errors."""
    key = request.POST.get("key", "")
    deploy = request.POST.get("deploy") == "on"
    try:
        xml = _as_stored(request, key, request.POST.get("xml", "").encode("utf-8"))
        saved = services.decision_save(actor=request.user, xml=xml, key=key, deploy=deploy)
    except DomainError as error:
        answer = error.as_dict()
        for cell in answer.get("details", {}).get("errors", []):
            # The cell's column as the editor shows it (a built-in label put back on save).
            cell["column_label"] = library_text(key, str(cell.get("column_label") or ""))
        return JsonResponse(answer, status=error.status)
    url = reverse("decisions:decision_detail", args=[saved.key])
    return JsonResponse(
        {"key": saved.key, "version": saved.version, "status": saved.status, "url": url}
    )


@editor_required
def decision_upload(request: AuthedRequest) -> HttpResponse:
    form = DecisionUploadForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.decision_save(
                actor=request.user,
                xml=form.read_bytes(),
                key=form.cleaned_data["key"],
                deploy=form.cleaned_data["deploy"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
            errors = error.details.get("errors", [])
        else:
            messages.success(request, _("Saved as version %(v)d.") % {"v": saved.version})
            return redirect("decisions:decision_detail", key=saved.key)
    context = {"form": form, "cell_errors": errors, "title": _("Upload a DMN model")}
    return render(request, "decisions/upload.html", context)


@require_POST
@editor_required
def decision_deploy(request: AuthedRequest, key: str, version: int) -> HttpResponse:
    services.decision_deploy(actor=request.user, key=key, version=version)
    messages.success(request, _("Version %(v)d deployed.") % {"v": version})
    return redirect("decisions:decision_detail", key=key)


def _table_views(definition: Any, evaluation: services.Evaluation | None) -> list[Any]:
    """The model's logic as the test page shows it: labels and annotations in the reader's
    language (a built-in decision's), the rules that matched marked."""
    key = definition.key
    tables = table_views(services.decision_model(definition))
    for table in tables:
        table.label = library_text(key, table.label)
        table.input_labels = [library_text(key, label) for label in table.input_labels]
        table.output_labels = [library_text(key, label) for label in table.output_labels]
        for rule in table.rules:
            rule.description = library_text(key, rule.description)
        table.matched = {
            m["index"]
            for m in (evaluation.matched_rules if evaluation else [])
            if m["decision"] == table.decision
        }
    return tables


@login_required
def decision_test(request: AuthedRequest, key: str) -> HttpResponse:
    """Enter inputs, see the output and the matched rules (any version, drafts too)."""
    version = int(request.GET["version"]) if request.GET.get("version", "").isdigit() else None
    definition = selectors.decision_get(actor=request.user, key=key, version=version)
    inputs = [
        {**spec, "label": library_text(key, str(spec.get("label") or spec.get("name")))}
        for spec in definition.inputs
    ]
    form = DecisionTestForm(request.POST or None, inputs=inputs)
    evaluation, error = None, None
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.decision_evaluate(
                actor=request.user, key=key, context=form.cleaned_data, version=definition.version
            )
        except DomainError as exc:
            error = exc
    tables = _table_views(definition, evaluation)
    named = {table.decision: table.label for table in tables}
    context = {
        "result": result_view(
            evaluation.result,
            decision=named.get(evaluation.decision, evaluation.decision),
            words=vocabulary(definition),
        )
        if evaluation
        else None,
        "result_title": named.get(evaluation.decision, "") if evaluation else "",
        "title": _("Test: %(name)s") % {"name": library_text(definition.key, definition.name)},
        "definition": definition,
        "form": form,
        "evaluation": evaluation,
        "error": error,
        "tables": tables,
        **Back(
            reverse("decisions:decision_detail", args=[key]), library_text(key, definition.name)
        ).context(),
    }
    return render(request, "decisions/test.html", context)
