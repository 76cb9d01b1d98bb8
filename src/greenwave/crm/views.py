"""HTML pages of the client base: lists, cards and forms of companies, contacts and
decision makers. Thin by rule: parse the form, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.models import User
from greenwave.accounts.scoping import can_write, require_write
from greenwave.core.api import list_query
from greenwave.core.create_pages import create_view
from greenwave.core.crud import Back, back_to, form_page, form_view, saving, to_page
from greenwave.core.errors import DomainError
from greenwave.core.form_posts import action_post, form_post, show_form_error
from greenwave.core.forms import initial_of
from greenwave.core.guards import admin_required
from greenwave.core.list_pages import ListPage
from greenwave.core.listing import ListQuery, ListSpec
from greenwave.core.pages import render_list_page

from . import selectors, services
from .forms import (
    ClientProfileForm,
    CompanyCreateForm,
    CompanyForm,
    CompetitorForm,
    CompetitorLinkForm,
    ContactForm,
    CustomFieldForm,
    DecisionMakerAddForm,
    DecisionMakerForm,
    ImportMappingForm,
    ImportUploadForm,
    PriceListForm,
    ProductForm,
    ProductGroupForm,
    ReassignForm,
)
from .models import Company, ImportKind
from .tabular import write_csv, write_xlsx

View = Callable[..., HttpResponseBase]
FORM_PAGE = "crm/form_page.html"  # the kit's form page with the client base's look-alikes


def _company_to_change(request: AuthedRequest, pk: int) -> Company:
    """The company the actor changes: in their scope (a 404 outside it) and theirs to write
    (a 403 for a reader)."""
    company = selectors.company_get(actor=request.user, pk=pk)
    require_write(request.user, company)
    return company


def _card_form(
    request: AuthedRequest,
    company: Company,
    form: Form,
    save: Callable[[dict[str, Any]], object],
    *,
    title: str,
    message: str,
    anchor: str = "",
) -> HttpResponse:
    """A form of the company card: the card (at `anchor`) is the way back and where it leads."""
    card = back_to("crm:company_detail", company)
    return form_view(
        request,
        form,
        save=save,
        done=lambda _result: card.url + anchor,
        message=message,
        title=title,
        back=card,
        template=FORM_PAGE,
    )


def _record_form(
    request: AuthedRequest,
    form: Form,
    save: Callable[[dict[str, Any]], Any],
    *,
    page: str,
    back: Back,
    title: str,
    message: str = "",
) -> HttpResponse:
    """A record's create or edit form: saved, it leads to the record's `page` (a URL name)."""
    return form_view(
        request,
        form,
        save=save,
        done=to_page(page),
        message=message,
        title=title,
        back=back,
        template=FORM_PAGE,
    )


company_list = ListPage.of(
    selectors,
    "company",
    gettext_lazy("Clients"),
    empty=gettext_lazy("No clients yet: add the first company."),
    create=gettext_lazy("New company"),
).view()


@login_required
def company_create(request: AuthedRequest) -> HttpResponse:
    """Create a company; look-alikes (INN, phone, e-mail, similar name) are shown first."""
    form = CompanyCreateForm(request.POST or None, actor=request.user)
    duplicates: list[selectors.DuplicateMatch] = []
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if not data["allow_duplicate"]:
            duplicates = selectors.company_find_duplicates(
                actor=request.user,
                **{k: data[k] for k in ("inn", "phone", "email", "name")},
            )
        if duplicates:
            form.add_error(
                "allow_duplicate", _("Open the existing company, or tick to create anyway.")
            )
        else:
            try:
                company = services.company_create(actor=request.user, **data)
            except DomainError as exc:
                show_form_error(form, exc)
            else:
                messages.success(request, _("Company %(name)s created.") % {"name": company})
                return redirect("crm:company_detail", pk=company.pk)
    return form_page(
        request,
        form,
        title=_("New company"),
        back=Back(reverse("crm:company_list"), _("Clients")),
        template=FORM_PAGE,
        extra={"duplicates": duplicates},
    )


def _company_elsewhere(request: AuthedRequest, pk: int) -> HttpResponse | None:
    """An old link to a client that moved: merged into another (go there), or handed to
    another manager (say so to its former responsible instead of a bare «not found»)."""
    merged_into = selectors.company_merged_target(actor=request.user, pk=pk)
    if merged_into is not None:
        return redirect("crm:company_detail", pk=merged_into.pk)
    handover = selectors.company_handed_over(actor=request.user, pk=pk)
    if handover is not None:
        context = {"handover": handover, "title": _("The client was handed over")}
        return render(request, "crm/company_handed_over.html", context, status=403)
    return None


@login_required
def company_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    elsewhere = _company_elsewhere(request, pk)
    if elsewhere is not None:
        return elsewhere
    company = selectors.company_get(actor=request.user, pk=pk)
    context = {
        "duplicates": selectors.company_duplicates_of(actor=request.user, company=company),
        "company": company,
        "title": company.name,
        **Back(reverse("crm:company_list"), _("Clients")).context(),
        "history": selectors.company_history(actor=request.user, company=company)[:100],
        "profile": selectors.client_profile_of(actor=request.user, company=company),
        "profile_sections": ClientProfileForm.SECTIONS,
        "competitors": selectors.company_competitors(actor=request.user, company=company),
        "competitor_form": CompetitorLinkForm(),
        # A reader (a lawyer, another team's head) sees no buttons they would be refused on.
        "can_change": can_write(request.user, company),
    }
    return render(request, "crm/company_detail.html", context)


@login_required
def company_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    company = _company_to_change(request, pk)
    return _card_form(
        request,
        company,
        CompanyForm(request.POST or None, initial=CompanyForm.initial_for(company)),
        saving(request, services.company_update, company=company),
        title=_("Edit company"),
        message=_("Changes saved."),
    )


@login_required
def company_reassign(request: AuthedRequest, pk: int) -> HttpResponse:
    company = _company_to_change(request, pk)
    return _card_form(
        request,
        company,
        ReassignForm(request.POST or None, actor=request.user),
        saving(request, services.company_reassign, company=company),
        title=_("Hand the client over"),
        message=_("The client has been handed over."),
    )


contact_list = ListPage.of(
    selectors,
    "contact",
    gettext_lazy("Contacts"),
    empty=gettext_lazy("No contacts yet."),
    create=gettext_lazy("New contact"),
).view()


@login_required
def contact_create(request: AuthedRequest) -> HttpResponse:
    initial = {"company": request.GET.get("company")}
    return form_view(
        request,
        ContactForm(request.POST or None, initial=initial, actor=request.user),
        save=saving(request, services.contact_create),
        done=to_page("crm:contact_detail"),
        message=lambda contact: _("Contact %(name)s created.") % {"name": contact},
        title=_("New contact"),
        back=Back(reverse("crm:contact_list"), _("Contacts")),
        template=FORM_PAGE,
    )


@login_required
def contact_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(actor=request.user, pk=pk)
    context = {
        "contact": contact,
        "title": contact.full_name,
        **Back(reverse("crm:contact_list"), _("Contacts")).context(),
        "history": selectors.contact_history(actor=request.user, contact=contact)[:100],
    }
    return render(request, "crm/contact_detail.html", context)


@login_required
def contact_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(actor=request.user, pk=pk)
    require_write(request.user, contact)
    initial = ContactForm.initial_for(contact)
    return _record_form(
        request,
        ContactForm(request.POST or None, initial=initial, actor=request.user),
        saving(request, services.contact_update, contact=contact),
        page="crm:contact_detail",
        back=back_to("crm:contact_detail", contact),
        title=_("Edit contact"),
        message=_("Changes saved."),
    )


@login_required
def decision_maker_add(request: AuthedRequest, pk: int) -> HttpResponse:
    company = _company_to_change(request, pk)
    return _card_form(
        request,
        company,
        DecisionMakerAddForm(request.POST or None, company=company),
        saving(request, services.decision_maker_add, company=company),
        title=_("New decision maker"),
        message=_("Decision maker added."),
        anchor="#contacts",
    )


@login_required
def decision_maker_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    dm = selectors.decision_maker_get(actor=request.user, pk=pk)
    require_write(request.user, dm.company)
    initial = initial_of(dm, services.DECISION_MAKER_FIELDS)
    return _card_form(
        request,
        dm.company,
        DecisionMakerForm(request.POST or None, initial=initial),
        saving(request, services.decision_maker_update, decision_maker=dm),
        title=str(dm.contact),
        message=_("Changes saved."),
        anchor="#contacts",
    )


@require_POST
@login_required
def decision_maker_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    dm = selectors.decision_maker_get(actor=request.user, pk=pk)
    require_write(request.user, dm.company)
    services.decision_maker_remove(actor=request.user, decision_maker=dm)
    messages.success(request, _("%(name)s is no longer a decision maker.") % {"name": dm.contact})
    return redirect(reverse("crm:company_detail", args=[dm.company_id]) + "#contacts")


# --- Client profile and competitors -------------------------------------------------------


@login_required
def company_profile_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    company = _company_to_change(request, pk)
    profile = selectors.client_profile_of(actor=request.user, company=company)
    initial = initial_of(profile, services.CLIENT_PROFILE_FIELDS)
    return _card_form(
        request,
        company,
        ClientProfileForm(request.POST or None, initial=initial),
        saving(request, services.client_profile_update, company=company),
        title=_("Client profile"),
        message=_("The client profile has been saved."),
        anchor="#profile",
    )


@require_POST
@login_required
def company_competitor_link(request: AuthedRequest, pk: int) -> HttpResponse:
    company = _company_to_change(request, pk)
    form = CompetitorLinkForm(request.POST)
    if form.is_valid():
        try:
            services.competitor_link(actor=request.user, company=company, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Choose a competitor."))
    return redirect(reverse("crm:company_detail", args=[company.pk]) + "#profile")


@require_POST
@login_required
def company_competitor_unlink(request: AuthedRequest, pk: int, competitor_pk: int) -> HttpResponse:
    company = _company_to_change(request, pk)
    competitor = selectors.competitor_get(actor=request.user, pk=competitor_pk)
    services.competitor_unlink(actor=request.user, competitor=competitor, company=company)
    return redirect(reverse("crm:company_detail", args=[company.pk]) + "#profile")


COMPETITORS = ListPage.of(
    selectors,
    "competitor",
    gettext_lazy("Competitors"),
    empty=gettext_lazy("No competitors yet: describe the first one."),
    create=gettext_lazy("New competitor"),
)
competitor_list = COMPETITORS.view(may_create=services.can_edit_competitors)
competitor_create = create_view(
    COMPETITORS,
    CompetitorForm,
    services.competitor_create,
    template=FORM_PAGE,
    check=services.require_competitor_editor,
)


@login_required
def competitor_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    competitor = selectors.competitor_get(actor=request.user, pk=pk)
    context = {
        "competitor": competitor,
        "title": competitor.name,
        **Back(reverse("crm:competitor_list"), _("Competitors")).context(),
        "clients": selectors.competitor_clients(actor=request.user, competitor=competitor),
        "history": selectors.competitor_history(actor=request.user, competitor=competitor)[:50],
        "can_edit": services.can_edit_competitors(request.user),
    }
    return render(request, "crm/competitor_detail.html", context)


@login_required
def competitor_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    competitor = selectors.competitor_get(actor=request.user, pk=pk)
    services.require_competitor_editor(request.user)
    initial = initial_of(competitor, services.COMPETITOR_FIELDS)
    return _record_form(
        request,
        CompetitorForm(request.POST or None, initial=initial),
        saving(request, services.competitor_update, competitor=competitor),
        page="crm:competitor_detail",
        back=back_to("crm:competitor_detail", competitor),
        title=_("Edit competitor"),
        message=_("Changes saved."),
    )


# --- Products and price lists -------------------------------------------------------------


def _can_manage_catalog(user: User) -> bool:
    return user.is_superuser or user.has_role(*services.CATALOG_MANAGERS)


def _catalog_context(request: AuthedRequest) -> dict[str, Any]:
    return {"can_edit": _can_manage_catalog(request.user)}


def _require_catalog_change(request: AuthedRequest) -> None:
    """Everyone reads the catalogue; a change by another role is a 403, not a form error."""
    if request.method == "POST" and not _can_manage_catalog(request.user):
        raise PermissionDenied(_("Only a head of sales or an administrator can change this."))


PRODUCTS = ListPage.of(
    selectors,
    "product",
    gettext_lazy("Products"),
    empty=gettext_lazy("The catalogue is empty."),
    create=gettext_lazy("New product"),
)
product_list = PRODUCTS.view(may_create=_can_manage_catalog, extra=_catalog_context)


def _catalog_form(
    request: AuthedRequest, form: Form, save: Callable[[dict[str, Any]], object], **page: Any
) -> HttpResponse:
    """A form of the product catalogue (`page`: its title, message): saved, it leads back to
    the product list."""
    products = Back(reverse("crm:product_list"), _("Products"))
    return form_view(request, form, save, back=products, template=FORM_PAGE, **page)


product_create = create_view(
    PRODUCTS,
    ProductForm,
    services.product_create,
    message=gettext_lazy("Product created."),
    template=FORM_PAGE,
    to_detail=False,
)


@login_required
def product_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    product = selectors.product_get(actor=request.user, pk=pk)
    _require_catalog_change(request)
    initial = initial_of(product, services.PRODUCT_FIELDS)
    return _catalog_form(
        request,
        ProductForm(request.POST or None, initial=initial),
        saving(request, services.product_update, product=product),
        message=_("Changes saved."),
        title=product.name,
    )


@login_required
def product_group_create(request: AuthedRequest) -> HttpResponse:
    return _catalog_form(
        request,
        ProductGroupForm(request.POST or None),
        saving(request, services.product_group_create),
        message=_("Product group created."),
        title=_("New product group"),
    )


PRICE_LISTS = ListPage.of(
    selectors,
    "price_list",
    gettext_lazy("Price lists"),
    create=gettext_lazy("New price list"),
    spec=selectors.PRICE_LIST_SPEC,
)
price_list_list = PRICE_LISTS.view(may_create=_can_manage_catalog, extra=_catalog_context)
price_list_create = create_view(
    PRICE_LISTS, PriceListForm, services.price_list_create, template=FORM_PAGE
)


@login_required
def price_list_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    price_list = selectors.price_list_get(actor=request.user, pk=pk)
    _require_catalog_change(request)
    initial = initial_of(price_list, services.PRICE_LIST_FIELDS)
    return _record_form(
        request,
        PriceListForm(request.POST or None, initial=initial),
        saving(request, services.price_list_update, price_list=price_list),
        page="crm:price_list_detail",
        back=back_to("crm:price_list_detail", price_list),
        title=_("Edit price list"),
    )


@login_required
def price_list_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The products of the catalogue with their price in this list; managers edit in place."""
    price_list = selectors.price_list_get(actor=request.user, pk=pk)
    _require_catalog_change(request)
    if request.method == "POST":
        prices = {
            int(key.removeprefix("price_")): str(value).strip()
            for key, value in request.POST.items()
            if key.startswith("price_") and key.removeprefix("price_").isdigit()
        }
        try:
            changed = services.prices_set(actor=request.user, price_list=price_list, prices=prices)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Prices saved: %(n)d changed.") % {"n": len(changed)})
            return redirect(request.get_full_path())
    return render_list_page(
        request,
        spec=selectors.PRODUCT_LIST_SPEC,
        selector=lambda query: selectors.price_list_products(
            actor=request.user, price_list=price_list, query=query
        ),
        title=price_list.name,
        table_template="crm/partials/price_table.html",
        extra={"price_list": price_list, **_catalog_context(request)},
    )


@require_POST
@login_required
def company_merge(request: AuthedRequest, pk: int) -> HttpResponse:
    """Fold the duplicate named in the form into this company."""
    target = selectors.company_get(actor=request.user, pk=pk)
    source = selectors.company_get(actor=request.user, pk=int(request.POST.get("source") or 0))
    require_write(request.user, target)
    require_write(request.user, source)
    action_post(
        request,
        lambda: services.company_merge(actor=request.user, target=target, source=source),
        success=_("%(source)s has been merged into this card.") % {"source": source.name},
        refusals=(),
    )
    return redirect("crm:company_detail", pk=target.pk)


# --- Import and export --------------------------------------------------------------------


@login_required
def import_start(request: AuthedRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None, actor=request.user)

    def upload() -> Any:
        data = form.cleaned_data
        return services.import_upload(
            actor=request.user,
            kind=data["kind"],
            file_name=data["file"].name,
            content=data["file"].read(services.MAX_IMPORT_BYTES + 1),
            responsible=data["responsible"],
        )

    started = form_post(request, form, upload, to=to_page("crm:import_detail"))
    if started is not None:
        return started
    context = {
        "form": form,
        "title": _("Import clients"),
        "kinds": ImportKind.choices,
        "imports": selectors.import_list(actor=request.user)[:10],
    }
    return render(request, "crm/import_start.html", context)


@require_safe
@login_required
def import_sample(request: AuthedRequest, kind: str) -> HttpResponse:
    """A sample file of an import kind: the column names the import recognises and an example
    row, as the `;`-separated UTF-8 CSV that Russian Excel opens (and the import reads back)."""
    if kind not in ImportKind.values:
        raise Http404(_("No such kind of import."))
    headers, row = services.import_sample(kind)
    response = HttpResponse(b"".join(write_csv(headers, [row])), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="import-{kind}-sample.csv"'
    return response


@login_required
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """Map the columns and check (dry run), then confirm; then watch the progress."""
    job = selectors.import_get(actor=request.user, pk=pk)
    form = ImportMappingForm(
        request.POST if request.POST.get("action") == "check" else None, job=job
    )
    try:
        if request.method == "POST" and request.POST.get("action") == "check" and form.is_valid():
            services.import_check(actor=request.user, job=job, mapping=form.mapping(job))
            return redirect("crm:import_detail", pk=job.pk)
        if request.method == "POST" and request.POST.get("action") == "confirm":
            skip = request.POST.get("skip_invalid") == "on"
            services.import_confirm(actor=request.user, job=job, skip_invalid=skip)
            return redirect("crm:import_detail", pk=job.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    context = {"job": job, "form": form, "title": job.file_name}
    return render(request, "crm/import_detail.html", context)


@login_required
def import_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    job = selectors.import_get(actor=request.user, pk=pk)
    reload = request.GET.get("reload") == "1"
    if reload and not job.in_progress:
        # The file is read or checked: the whole page shows the next step.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "crm/partials/import_progress.html", {"job": job, "reload": reload})


def _export(request: AuthedRequest, name: str, rows: Any, spec: Any) -> HttpResponseBase:
    try:
        query = list_query(request, spec, extra_params=("format",))
    except DomainError:
        query = ListQuery(sort=spec.default_sort)
    headers, data = rows(actor=request.user, query=query)
    stamp = timezone.localdate().isoformat()
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            write_xlsx(name, headers, data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
        return response
    streamed = StreamingHttpResponse(write_csv(headers, data), content_type="text/csv")
    streamed["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return streamed


@login_required
def company_export(request: AuthedRequest) -> HttpResponseBase:
    """The current filtered list of companies as CSV or XLSX (`?format=xlsx`)."""
    return _export(request, "companies", selectors.company_export_rows, selectors.COMPANY_LIST_SPEC)


@login_required
def contact_export(request: AuthedRequest) -> HttpResponseBase:
    return _export(request, "contacts", selectors.contact_export_rows, selectors.CONTACT_LIST_SPEC)


# --- Soft delete and restore --------------------------------------------------------------


@dataclass(frozen=True)
class _Deletable:
    """A record of the client base its lists hide once deleted and its card brings back. Its
    `name` ("company") names the services' keyword, the URLs `crm:<name>_list`, `…_detail`,
    `…_restore` and `…_deleted`; the deleted rows' table (`crm/partials/deleted_table.html`)
    shows the record, its `detail_label` column (`crm/partials/deleted_<name>_detail.html`),
    who was responsible and when it was deleted."""

    name: str
    get: Callable[..., Any]
    rows: Callable[..., Any]
    spec: ListSpec
    delete: Callable[..., Any]
    restore: Callable[..., Any]
    deleted_title: Any
    deleted_empty: Any
    name_label: Any
    detail_label: Any

    @property
    def restore_route(self) -> str:
        return f"crm:{self.name}_restore"

    @property
    def detail_template(self) -> str:
        return f"crm/partials/deleted_{self.name}_detail.html"


COMPANIES = _Deletable(
    "company",
    selectors.company_get,
    selectors.company_list,
    selectors.COMPANY_LIST_SPEC,
    services.company_delete,
    services.company_restore,
    gettext_lazy("Deleted clients"),
    gettext_lazy("No deleted clients."),
    gettext_lazy("Company"),
    gettext_lazy("INN"),
)
CONTACTS = _Deletable(
    "contact",
    selectors.contact_get,
    selectors.contact_list,
    selectors.CONTACT_LIST_SPEC,
    services.contact_delete,
    services.contact_restore,
    gettext_lazy("Deleted contacts"),
    gettext_lazy("No deleted contacts."),
    gettext_lazy("Full name"),
    gettext_lazy("Company"),
)


def _delete(request: AuthedRequest, kind: _Deletable, pk: int) -> HttpResponse:
    row = kind.get(actor=request.user, pk=pk)
    require_write(request.user, row)
    kind.delete(actor=request.user, **{kind.name: row})
    messages.success(request, _("%(name)s has been deleted; it can be restored.") % {"name": row})
    return redirect(f"crm:{kind.name}_list")


def _restore(
    request: AuthedRequest, kind: _Deletable, pk: int, *, refused_to: str | None = None
) -> HttpResponse:
    """Bring a deleted record back; with `refused_to`, a refusal of the service is a message
    on that page instead of an error page."""
    row = kind.get(actor=request.user, pk=pk, deleted=True)
    require_write(request.user, row)
    try:
        kind.restore(actor=request.user, **{kind.name: row})
    except DomainError as exc:
        if refused_to is None:
            raise
        messages.error(request, exc.message)
        return redirect(refused_to)
    messages.success(request, _("%(name)s has been restored.") % {"name": row})
    return redirect(f"crm:{kind.name}_detail", pk=row.pk)


def _deleted(request: AuthedRequest, kind: _Deletable) -> HttpResponse:
    return render_list_page(
        request,
        spec=kind.spec,
        selector=lambda query: kind.rows(actor=request.user, query=query, deleted=True),
        title=str(kind.deleted_title),
        table_template="crm/partials/deleted_table.html",
        empty_message=str(kind.deleted_empty),
        extra={"kind": kind},
    )


@require_POST
@login_required
def company_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    return _delete(request, COMPANIES, pk)


@require_POST
@login_required
def company_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    return _restore(request, COMPANIES, pk, refused_to="crm:company_deleted")


@login_required
def company_deleted(request: AuthedRequest) -> HttpResponse:
    return _deleted(request, COMPANIES)


@require_POST
@login_required
def contact_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    return _delete(request, CONTACTS, pk)


@require_POST
@login_required
def contact_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    return _restore(request, CONTACTS, pk)


@login_required
def contact_deleted(request: AuthedRequest) -> HttpResponse:
    return _deleted(request, CONTACTS)


@admin_required
def custom_field_settings(request: AuthedRequest) -> HttpResponse:
    """The administrator's list of the company card's custom fields: add and remove."""
    form = CustomFieldForm(request.POST or None)
    added = form_post(
        request,
        form,
        lambda: services.custom_field_create(actor=request.user, **form.service_data()),
        to="crm:custom_field_settings",
        success=_("Custom field added."),
    )
    if added is not None:
        return added
    context = {"form": form, "fields": selectors.custom_field_list(), "title": _("Custom fields")}
    return render(request, "crm/custom_fields.html", context)


@admin_required
@require_POST
def custom_field_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(selectors.custom_field_list(), pk=pk)
    services.custom_field_delete(actor=request.user, field=field)
    messages.success(request, _("Custom field removed; the values clients hold are kept."))
    return redirect("crm:custom_field_settings")
