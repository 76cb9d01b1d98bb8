"""HTML views of bpm: the inbox, task pages, definitions (upload, modeler, viewer), instances
and the "who holds up whom" page. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.models import RoleCode
from greenwave.core.api import scoped_row_of_id
from greenwave.core.crud import Back
from greenwave.core.errors import DomainError
from greenwave.core.form_posts import action_post
from greenwave.core.guards import allowed_only
from greenwave.core.list_pages import ListPage

from . import notifications, selectors, services
from .actions import action_names
from .forms import DefinitionUploadForm, DelegateForm, MigrationForm, ModelerSaveForm, StartForm
from .formschema import build_form, cleaned_values
from .library.texts import (
    library_catalogue,
    library_display_xml,
    library_form,
    library_text,
)
from .models import ProcessDefinition, ProcessInstance

View = Callable[..., HttpResponse]


# Sign-in required; a record outside the actor's scope (a DomainError) becomes its error page
# through core's DomainErrorMiddleware.
page = login_required


def _definitions_back() -> Back:
    return Back(reverse("bpm:definition_list"), _("Process definitions"))


def _instance_back(instance: ProcessInstance) -> Back:
    return Back(
        reverse("bpm:instance_detail", args=[instance.pk]),
        f"{library_text(instance.definition.key, instance.definition.name)} #{instance.pk}",
    )


designer_required = allowed_only(services.can_manage_definitions)


def _flash_error(request: AuthedRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


# -- the inbox --------------------------------------------------------------------------------


inbox = ListPage(
    selectors.TASK_LIST_SPEC,
    selectors.task_list_mine,
    gettext_lazy("My tasks"),
    "bpm/partials/task_table.html",
    gettext_lazy("No tasks for you right now."),
).view(name="inbox")
team_tasks = ListPage(
    selectors.TASK_LIST_SPEC,
    selectors.task_list_team,
    gettext_lazy("My team's tasks"),
    "bpm/partials/task_table.html",
    gettext_lazy("Your team has no open tasks."),
).view(name="team_tasks")


@page
def task_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=pk)
    key = task.instance.definition.key
    posted = request.method == "POST"
    form = build_form(
        library_form(key, task.form_schema),
        request.POST if posted else None,
        request.FILES if posted else None,
    )
    if posted and form.is_valid():
        values = cleaned_values(form)
        files = {k: v for k, v in values.items() if isinstance(v, UploadedFile)}
        try:
            services.task_complete(
                actor=request.user,
                task=task,
                data={k: v for k, v in values.items() if k not in files},
                files=files,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Task completed."))
            return redirect("bpm:inbox")
    context = {
        "title": library_text(key, task.name),
        "task": task,
        "instance": task.instance,
        "form": form,
        "can_act": services.is_candidate(request.user, task) or request.user.is_greenwave_admin,
        "delegate_form": DelegateForm(),
        "form_ref": selectors.task_form_ref(task),
        **Back(reverse("bpm:inbox"), _("My tasks")).context(),
        "xml_url": reverse("bpm:definition_xml", args=[task.instance.definition_id]),
        "states": task.instance.element_states,
        "subject": selectors.subject_link(actor=request.user, instance=task.instance),
        "result": selectors.variable_rows(
            actor=request.user, instance=task.instance, data=task.result, hide_subject=False
        ),
        # What the approver decides on: the data so far and the documents handed in.
        "variables": selectors.variable_rows(
            actor=request.user, instance=task.instance, data=services.task_variables(task=task)
        ),
        "files": selectors.files_of_instance(instance=task.instance),
        "multipart": any(spec.get("type") == "file" for spec in task.form_schema),
    }
    return render(request, "bpm/task_detail.html", context)


@page
def process_file(request: AuthedRequest, pk: int) -> HttpResponse:
    """A process's file as a download, to its readers and approvers only (`process_file_get`)."""
    stored = selectors.process_file_get(actor=request.user, pk=pk)
    with stored.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, stored.original_name) or ""
    response["X-Content-Type-Options"] = "nosniff"
    return response


@page
def notification_list(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        raw = request.POST.get("notification", "")
        notifications.notifications_mark_read(
            actor=request.user, pk=int(raw) if raw.isdigit() else None
        )
        return redirect("bpm:notifications")
    context = {
        "title": _("Notifications"),
        "notifications": notifications.notification_list(actor=request.user)[:200],
    }
    return render(request, "bpm/notifications.html", context)


@require_POST
@page
def task_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=pk)
    try:
        if action == "claim":
            services.task_claim(actor=request.user, task=task)
        elif action == "unclaim":
            services.task_unclaim(actor=request.user, task=task)
        elif action == "delegate":
            form = DelegateForm(request.POST)
            if form.is_valid():
                services.task_delegate(actor=request.user, task=task, to=form.cleaned_data["user"])
    except DomainError as exc:
        _flash_error(request, exc)
    return redirect("bpm:task_detail", pk=task.pk)


# -- definitions ------------------------------------------------------------------------------


definition_list = ListPage(
    selectors.DEFINITION_LIST_SPEC,
    selectors.definition_list,
    gettext_lazy("Process definitions"),
    "bpm/partials/definition_table.html",
    gettext_lazy("No processes yet: upload a BPMN file or draw one."),
    create_label=gettext_lazy("New process"),
    create_route="bpm:definition_add",
).view(
    may_create=services.can_manage_definitions,
    extra=lambda request: {"can_design": services.can_manage_definitions(request.user)},
)


@designer_required
def definition_add(request: AuthedRequest) -> HttpResponse:
    """Three ways to a new process: draw it, upload a file, or install the built-in ones."""
    return render(
        request,
        "bpm/definition_add.html",
        {
            "title": _("New process"),
            **_definitions_back().context(),
            "library": library_catalogue(),
        },
    )


@designer_required
def definition_upload(request: AuthedRequest) -> HttpResponse:
    form = DefinitionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = (
            services.definition_upload_and_deploy if data["deploy"] else services.definition_upload
        )
        try:
            definition = upload(actor=request.user, xml=data["file"], key=data["key"])
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("Version %(v)s stored.") % {"v": definition.version})
            return redirect("bpm:definition_detail", pk=definition.pk)
    return render(
        request,
        "bpm/definition_upload.html",
        {
            "form": form,
            "title": _("Upload BPMN"),
            **_definitions_back().context(),
        },
    )


@designer_required
def definition_modeler(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    source = scoped_row_of_id(selectors.definition_get, request.user, pk)
    form = ModelerSaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = (
            services.definition_upload_and_deploy if data["deploy"] else services.definition_upload
        )
        try:
            definition = upload(actor=request.user, xml=data["xml"].encode(), key=data["key"])
        except DomainError as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, _("Version %(v)s stored.") % {"v": definition.version})
            return redirect("bpm:definition_detail", pk=definition.pk)
    context = {
        "title": source.name if source else _("New process"),
        "source": source,
        "xml_url": reverse("bpm:definition_xml", args=[source.pk]) if source else "",
        "blank_url": reverse("bpm:blank_diagram"),
        "key": source.key if source else "",
        "modeler_options": _modeler_options(),
    }
    return render(request, "bpm/modeler.html", context)


def _modeler_options() -> dict[str, Any]:
    """Choices and labels of the modeler's properties panel (passed as JSON, no inline JS)."""
    return {
        "roles": [[code, str(label)] for code, label in RoleCode.choices],
        "actions": [[name, name] for name in action_names()],
        "labels": {
            "select": _("Select an element to edit its properties."),
            "name": _("Name"),
            "role": _("Candidate role"),
            "assignee": _("Assignee (login or =variable)"),
            "due": _("Deadline (e.g. P2D, PT4H)"),
            "form": _("Form fields"),
            "formHelp": _(
                "One per line: name | type | label | required | choice1, choice2. "
                "Types: string, text, integer, decimal, boolean, date, choice."
            ),
            "action": _("Action"),
            "condition": _("Condition (e.g. decision == 'approve')"),
            "conditionFeel": _('Condition in FEEL (e.g. decision = "approve" and amount > 1000)'),
            "language": _("Expression language"),
            "languageFeel": _("FEEL"),
            "languageSandbox": _("Python-like"),
        },
    }


@page
def blank_diagram(request: AuthedRequest) -> HttpResponse:
    return render(request, "bpm/blank.bpmn", content_type="application/xml")


@page
def definition_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    definition = selectors.definition_get(actor=request.user, pk=pk)
    context = {
        "title": f"{library_text(definition.key, definition.name)} · v{definition.version}",
        "definition": definition,
        "versions": selectors.definition_versions(actor=request.user, key=definition.key),
        "can_design": services.can_manage_definitions(request.user),
        "can_migrate": services.can_migrate_instances(request.user),
        "unfinished": selectors.instances_unfinished_of(
            actor=request.user, definition=definition
        ).count(),
        "start_form": StartForm(),
        "xml_url": reverse("bpm:definition_xml", args=[definition.pk]),
        "states": {},
        **_definitions_back().context(),
    }
    return render(request, "bpm/definition_detail.html", context)


@require_POST
@designer_required
def library_install(request: AuthedRequest) -> HttpResponse:
    installed = services.library_install(actor=request.user)
    messages.success(request, _("Built-in processes deployed: %(n)s.") % {"n": len(installed)})
    return redirect("bpm:definition_list")


@page
def definition_xml(request: AuthedRequest, pk: int) -> HttpResponse:
    definition = selectors.definition_get(actor=request.user, pk=pk)
    xml = services.definition_export(definition=definition)
    if request.GET.get("display"):  # the viewer's copy: a built-in process in my language
        xml = library_display_xml(definition.key, xml)
    response = HttpResponse(xml, content_type="application/xml")
    if request.GET.get("download"):
        filename = f"{definition.key}-v{definition.version}.bpmn"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@designer_required
def definition_deploy(request: AuthedRequest, pk: int) -> HttpResponse:
    definition = selectors.definition_get(actor=request.user, pk=pk)
    action_post(
        request,
        lambda: services.definition_deploy(actor=request.user, definition=definition),
        success=_("Deployed."),
        refusals=(),
    )
    return redirect("bpm:definition_detail", pk=pk)


@require_POST
@page
def instance_start(request: AuthedRequest, pk: int) -> HttpResponse:
    definition = selectors.definition_get(actor=request.user, pk=pk)
    form = StartForm(request.POST)
    if not form.is_valid():
        return redirect("bpm:definition_detail", pk=pk)
    try:
        instance = services.instance_start_checked(
            actor=request.user, definition=definition, **form.cleaned_data
        )
    except DomainError as exc:
        _flash_error(request, exc)
        return redirect("bpm:definition_detail", pk=pk)
    messages.success(request, _("Process started."))
    return redirect("bpm:instance_detail", pk=instance.pk)


# -- instances --------------------------------------------------------------------------------


instance_list = ListPage.of(
    selectors,
    "instance",
    gettext_lazy("Processes"),
    empty=gettext_lazy("No processes have been started yet."),
).view()


@page
def instance_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    instance = selectors.instance_get(actor=request.user, pk=pk)
    definition = instance.definition
    context = {
        "title": f"{library_text(definition.key, definition.name)} #{instance.pk}",
        "instance": instance,
        "tasks": selectors.tasks_of_instance(instance=instance, actor=request.user),
        "incidents": selectors.instance_incidents(instance=instance),
        "history": selectors.instance_history(instance=instance)[:100],
        "xml_url": reverse("bpm:definition_xml", args=[instance.definition_id]),
        "states": instance.element_states,
        "can_migrate": services.can_migrate_instances(request.user),
        "subject": selectors.subject_link(actor=request.user, instance=instance),
        "variables": selectors.variable_rows(actor=request.user, instance=instance),
        "files": selectors.files_of_instance(instance=instance),
        **Back(reverse("bpm:instance_list"), _("Processes")).context(),
    }
    return render(request, "bpm/instance_detail.html", context)


@page
def instance_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    """Cancelling asks first: the page says what stops (open tasks), the POST confirms."""
    instance = selectors.instance_get(actor=request.user, pk=pk)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        action_post(
            request,
            lambda: services.instance_cancel(actor=request.user, instance=instance),
            success=_("Process cancelled."),
            refusals=(),
        )
        return redirect("bpm:instance_detail", pk=pk)
    context = {
        "title": _("Cancel %(process)s #%(pk)s?")
        % {
            "process": library_text(instance.definition.key, instance.definition.name),
            "pk": instance.pk,
        },
        "instance": instance,
        "open_tasks": selectors.tasks_of_instance(instance=instance).filter(status="open"),
        "subject": selectors.subject_link(actor=request.user, instance=instance),
        **_instance_back(instance).context(),
    }
    return render(request, "bpm/instance_cancel.html", context)


@require_POST
@page
def incident_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(actor=request.user, pk=pk)
    action_post(
        request,
        lambda: services.incident_retry(actor=request.user, incident=incident),
        success=_("Retried."),
        refusals=(),
    )
    return redirect("bpm:instance_detail", pk=incident.instance_id)


# -- moving running processes to another version ----------------------------------------------


def _migration_page(
    request: AuthedRequest,
    *,
    source: ProcessDefinition,
    instances: list[ProcessInstance],
    context: dict[str, Any],
) -> HttpResponse:
    """Check (a dry run listing what would happen), then confirm; refusals change nothing."""
    if not services.can_migrate_instances(request.user):
        raise PermissionDenied
    targets = selectors.definition_migration_targets(actor=request.user, definition=source)
    form = MigrationForm(request.POST or None, targets=targets)
    results: list[services.MigrationCheck] | None = None
    confirm = request.POST.get("confirm") == "1"
    if request.method == "POST" and form.is_valid():
        try:
            results = services.instances_migrate(
                actor=request.user,
                instances=instances,
                target=form.cleaned_data["target"],
                mapping=form.cleaned_data["mapping"],
                dry_run=not confirm,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            moved = sum(r.migrated for r in results)
            refused = sum(not r.allowed for r in results)
            if confirm and moved:
                messages.success(request, _("Processes moved: %(n)s.") % {"n": moved})
            if confirm and refused:
                messages.error(request, _("Processes refused: %(n)s.") % {"n": refused})
            if confirm and not refused:
                return redirect(context["back_url"])
    return render(
        request,
        "bpm/migrate.html",
        {
            **context,
            "form": form,
            "results": results,
            "instances": instances,
            "source": source,
            "can_confirm": bool(results) and not confirm and any(r.allowed for r in results or []),
        },
    )


@page
def instance_migrate(request: AuthedRequest, pk: int) -> HttpResponse:
    instance = selectors.instance_get(actor=request.user, pk=pk)
    return _migration_page(
        request,
        source=instance.definition,
        instances=[instance],
        context={
            "title": _("Move %(process)s #%(pk)s to another version")
            % {
                "process": library_text(instance.definition.key, instance.definition.name),
                "pk": instance.pk,
            },
            **_instance_back(instance).context(),
        },
    )


@page
def definition_migrate(request: AuthedRequest, pk: int) -> HttpResponse:
    definition = selectors.definition_get(actor=request.user, pk=pk)
    instances = selectors.instances_unfinished_of(actor=request.user, definition=definition)
    return _migration_page(
        request,
        source=definition,
        instances=list(instances.order_by("pk")[:500]),
        context={
            "title": _("Move the running processes of v%(version)s to another version")
            % {"version": definition.version},
            **Back(
                reverse("bpm:definition_detail", args=[definition.pk]),
                f"{definition.name} · v{definition.version}",
            ).context(),
        },
    )


@page
def holdups(request: AuthedRequest) -> HttpResponse:
    key = request.GET.get("process", "")[:100]
    context = {
        "title": _("Who holds up whom"),
        "data": selectors.holdups(actor=request.user, definition_key=key),
        "process": key,
        "definitions": selectors.definitions_startable(actor=request.user),
    }
    return render(request, "bpm/holdups.html", context)
