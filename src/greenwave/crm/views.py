"""HTML pages of the client base: lists, cards and forms of companies, contacts and
decision makers. Thin by rule: parse the form, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required as django_login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from greenwave.accounts.http import AuthedRequest
from greenwave.core.errors import DomainError
from greenwave.core.pages import render_list_page

from . import selectors, services
from .forms import (
    CompanyCreateForm,
    CompanyForm,
    ContactForm,
    DecisionMakerAddForm,
    DecisionMakerForm,
    ReassignForm,
    show_domain_error,
)

View = Callable[..., HttpResponse]


def login_required(view: View) -> View:
    """Sign-in required; a record outside the actor's scope is a 404, a refused act a 403."""

    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from exc
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            raise

    return django_login_required(wrapper)


def _form_page(
    request: AuthedRequest, form: Any, title: str, back_url: str, back_label: str, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "back_url": back_url, "back_label": back_label}
    return render(request, "core/form_page.html", {**context, **extra})


@login_required
def company_list(request: AuthedRequest) -> HttpResponse:
    return render_list_page(
        request,
        spec=selectors.COMPANY_LIST_SPEC,
        selector=lambda query: selectors.company_list(actor=request.user, query=query),
        title=_("Clients"),
        table_template="crm/partials/company_table.html",
        create_url=reverse("crm:company_create"),
        create_label=_("New company"),
        empty_message=_("No clients yet: add the first company."),
    )


@login_required
def company_create(request: AuthedRequest) -> HttpResponse:
    form = CompanyCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            company = services.company_create(actor=request.user, **form.service_data())
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Company %(name)s created.") % {"name": company})
            return redirect("crm:company_detail", pk=company.pk)
    back = reverse("crm:company_list")
    return _form_page(request, form, _("New company"), back, _("Clients"))


@login_required
def company_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    company = selectors.company_get(actor=request.user, pk=pk)
    context = {
        "company": company,
        "title": company.name,
        "back_url": reverse("crm:company_list"),
        "back_label": _("Clients"),
        "history": selectors.company_history(actor=request.user, company=company)[:100],
    }
    return render(request, "crm/company_detail.html", context)


@login_required
def company_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    company = selectors.company_get(actor=request.user, pk=pk)
    form = CompanyForm(request.POST or None, initial=CompanyForm.initial_for(company))
    if request.method == "POST" and form.is_valid():
        try:
            services.company_update(actor=request.user, company=company, **form.service_data())
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("crm:company_detail", pk=company.pk)
    back = reverse("crm:company_detail", args=[company.pk])
    return _form_page(request, form, _("Edit company"), back, company.name)


@login_required
def company_reassign(request: AuthedRequest, pk: int) -> HttpResponse:
    company = selectors.company_get(actor=request.user, pk=pk)
    form = ReassignForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.company_reassign(actor=request.user, company=company, **form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The client has been handed over."))
            return redirect("crm:company_detail", pk=company.pk)
    back = reverse("crm:company_detail", args=[company.pk])
    return _form_page(request, form, _("Hand the client over"), back, company.name)


@login_required
def contact_list(request: AuthedRequest) -> HttpResponse:
    return render_list_page(
        request,
        spec=selectors.CONTACT_LIST_SPEC,
        selector=lambda query: selectors.contact_list(actor=request.user, query=query),
        title=_("Contacts"),
        table_template="crm/partials/contact_table.html",
        create_url=reverse("crm:contact_create"),
        create_label=_("New contact"),
        empty_message=_("No contacts yet."),
    )


@login_required
def contact_create(request: AuthedRequest) -> HttpResponse:
    initial = {"company": request.GET.get("company")}
    form = ContactForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(actor=request.user, **form.service_data())
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Contact %(name)s created.") % {"name": contact})
            return redirect("crm:contact_detail", pk=contact.pk)
    back = reverse("crm:contact_list")
    return _form_page(request, form, _("New contact"), back, _("Contacts"))


@login_required
def contact_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(actor=request.user, pk=pk)
    context = {
        "contact": contact,
        "title": contact.full_name,
        "back_url": reverse("crm:contact_list"),
        "back_label": _("Contacts"),
        "history": selectors.contact_history(actor=request.user, contact=contact)[:100],
    }
    return render(request, "crm/contact_detail.html", context)


@login_required
def contact_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(actor=request.user, pk=pk)
    initial = ContactForm.initial_for(contact)
    form = ContactForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(actor=request.user, contact=contact, **form.service_data())
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("crm:contact_detail", pk=contact.pk)
    back = reverse("crm:contact_detail", args=[contact.pk])
    return _form_page(request, form, _("Edit contact"), back, contact.full_name)


@login_required
def decision_maker_add(request: AuthedRequest, pk: int) -> HttpResponse:
    company = selectors.company_get(actor=request.user, pk=pk)
    form = DecisionMakerAddForm(request.POST or None, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_maker_add(actor=request.user, company=company, **form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Decision maker added."))
            return redirect(reverse("crm:company_detail", args=[company.pk]) + "#contacts")
    back = reverse("crm:company_detail", args=[company.pk])
    return _form_page(request, form, _("New decision maker"), back, company.name)


@login_required
def decision_maker_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    dm = selectors.decision_maker_get(actor=request.user, pk=pk)
    initial = {f: getattr(dm, f) for f in services.DECISION_MAKER_FIELDS}
    form = DecisionMakerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_maker_update(
                actor=request.user, decision_maker=dm, **form.cleaned_data
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(reverse("crm:company_detail", args=[dm.company_id]) + "#contacts")
    back = reverse("crm:company_detail", args=[dm.company_id])
    return _form_page(request, form, str(dm.contact), back, dm.company.name)


@require_POST
@login_required
def decision_maker_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    dm = selectors.decision_maker_get(actor=request.user, pk=pk)
    services.decision_maker_remove(actor=request.user, decision_maker=dm)
    messages.success(request, _("%(name)s is no longer a decision maker.") % {"name": dm.contact})
    return redirect(reverse("crm:company_detail", args=[dm.company_id]) + "#contacts")
