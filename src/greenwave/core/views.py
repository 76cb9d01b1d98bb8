"""Views of the shell: the home page and the health check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .errors import DomainError
from .health import health_report
from .home import home_cards
from .search import DEFAULT_LIMIT, MAX_LIMIT, search_all
from .services import saved_filter_delete, saved_filter_save


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"cards": home_cards(request.user)})


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The header's search: a dropdown partial for htmx, a page of results for Enter."""
    # The header's box is named `search` so that it never clashes with a list page's `q`.
    q = request.GET.get("q") or request.GET.get("search", "")
    partial = request.headers.get("HX-Request") == "true"
    try:
        groups = search_all(actor=request.user, q=q, limit=DEFAULT_LIMIT if partial else MAX_LIMIT)
        error = ""
    except DomainError as exc:
        groups, error = [], str(exc.message)
    context = {"q": q, "groups": groups, "error": error, "title": _("Search")}
    if partial:  # every keystroke: no shell, so none of its context processors' queries
        return HttpResponse(render_to_string("core/partials/search_results.html", context))
    return render(request, "core/search.html", context)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health_report()
    return JsonResponse(
        {"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503
    )


@login_required
@require_POST
def saved_filter(request: HttpRequest) -> HttpResponse:
    """Save the current list filter under a name, or delete a saved one."""
    path = request.POST.get("path", "/")
    if not url_has_allowed_host_and_scheme(path, {request.get_host()}) or not path.startswith("/"):
        path = "/"
    try:
        if request.POST.get("delete"):
            saved_filter_delete(actor=request.user, pk=int(request.POST["delete"]))
        else:
            saved_filter_save(
                actor=request.user,
                path=path,
                name=request.POST.get("name", ""),
                query=request.POST.get("query", ""),
            )
            messages.success(request, _("Filter saved."))
    except (DomainError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect(f"{path}?{request.POST.get('query', '')}")
