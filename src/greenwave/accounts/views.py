"""HTML views of accounts: sign-in flows, profile and tokens, and user/team administration.

Thin by rule: parse the form, call one service or selector, render or redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from greenwave.core.crud import Back, form_page, form_view, to_page
from greenwave.core.errors import DomainError
from greenwave.core.form_posts import form_post, show_on_top
from greenwave.core.forms import initial_of
from greenwave.core.guards import admin_required
from greenwave.core.list_pages import ListPage
from greenwave.core.ratelimit import rate_limit_hits, rate_limited
from greenwave.core.selectors import event_list_for_case

from . import selectors, services
from .forms import (
    LoginForm,
    PreferencesForm,
    TeamForm,
    TokenForm,
    UserCreateForm,
    UserProfileFields,
)
from .http import AuthedRequest
from .models import AccessLevel, Role, User

View = Callable[..., HttpResponse]


def _address(request: HttpRequest) -> str:
    return get_client_ip_address(request) or "unknown"


class LoginView(auth_views.LoginView):
    """Sign-in. django-axes locks a username from an address after AXES_FAILURE_LIMIT failures;
    this view also locks the address itself after LOGIN_ADDRESS_FAILURE_LIMIT failures on any
    usernames, so one address cannot try a few passwords on every account. (Axes applies one
    limit to all its lockout parameters: an address-wide lock at 5 would lock a whole office
    behind one NAT, and its reset on success would let any account clear the address.)"""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "demo_loaded": selectors.demo_company_loaded(),
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = f"login-failures:{_address(request)}"
        if rate_limit_hits(key) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return render(request, "accounts/locked_out.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        rate_limited(
            f"login-failures:{_address(self.request)}",
            limit=settings.LOGIN_ADDRESS_FAILURE_LIMIT,
            window_seconds=settings.LOGIN_ADDRESS_LOCK_SECONDS,
        )
        return super().form_invalid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Password reset, throttled: per address (a clear 429) and per account (silently: the
    answer must not tell whether an address belongs to an account)."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        window = settings.PASSWORD_RESET_RATE_WINDOW
        if rate_limited(
            f"password-reset:address:{_address(request)}",
            limit=settings.PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS,
            window_seconds=window,
        ):
            form = self.get_form()
            form.add_error(None, _("Too many password reset requests. Try again later."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        email = str(form.cleaned_data["email"]).casefold()
        if rate_limited(
            f"password-reset:account:{email}",
            limit=settings.PASSWORD_RESET_RATE_LIMIT_PER_ACCOUNT,
            window_seconds=settings.PASSWORD_RESET_RATE_WINDOW,
        ):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response: HttpResponse = HttpResponseRedirect(target)
    if language not in {"ru", "en"}:
        return response
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        services.preferences_update(actor=user, language=language, time_zone=user.time_zone)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    """The user's own preferences and API tokens (a new token is shown once, here)."""
    prefs = PreferencesForm(
        request.POST if request.POST.get("action") == "preferences" else None,
        initial={"language": request.user.language, "time_zone": request.user.time_zone},
    )
    token_form = TokenForm(request.POST if request.POST.get("action") == "token" else None)
    new_token = None
    if request.method == "POST" and prefs.is_bound and prefs.is_valid():
        services.preferences_update(actor=request.user, **prefs.cleaned_data)
        messages.success(request, _("Preferences saved."))
        return redirect("accounts:profile")
    if request.method == "POST" and token_form.is_bound and token_form.is_valid():
        expires = token_form.cleaned_data["expires_at"]
        _token, new_token = services.token_issue(
            actor=request.user,
            user=request.user,
            name=token_form.cleaned_data["name"],
            expires_at=timezone.make_aware(datetime.combine(expires, time.max))
            if expires
            else None,
        )
        token_form = TokenForm()
    context = {
        "title": _("Profile and API tokens"),
        "prefs": prefs,
        "token_form": token_form,
        "tokens": selectors.token_list(actor=request.user),
        "new_token": new_token,
        "now": timezone.now(),
    }
    return render(request, "accounts/profile.html", context)


@require_POST
@login_required
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = selectors.token_get(actor=request.user, pk=pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token %(name)s has been revoked.") % {"name": token.name})
    return redirect(request.POST.get("next") or "accounts:profile")


user_list = ListPage.of(
    selectors,
    "user",
    gettext_lazy("Users"),
    empty=gettext_lazy("No users yet."),
    create=gettext_lazy("New user"),
).view(guard=admin_required)


def _team_page(request: AuthedRequest, form: TeamForm, title: str) -> HttpResponse:
    return form_page(
        request, form, title=title, back=Back(reverse("accounts:team_list"), _("Teams"))
    )


def _show_on_login_field(form: Any, exc: DomainError) -> None:
    """A refused new user: the error goes next to the password or, else, the login name."""
    form.add_error("password" if "password" in exc.code else "username", exc.message)


def _show_on_name(form: Any, exc: DomainError) -> None:
    form.add_error("name", exc.message)


@admin_required
def user_create(request: AuthedRequest) -> HttpResponse:
    return form_view(
        request,
        UserCreateForm(request.POST or None),
        # An empty password field: the user gets an unusable password (set by the reset mail).
        lambda data: services.user_create(
            actor=request.user, **{**data, "password": data["password"] or None}
        ),
        title=_("New user"),
        back=Back(reverse("accounts:user_list"), _("Users")),
        done=to_page("accounts:user_edit"),
        message=lambda user: _("User %(name)s created.") % {"name": user},
        show_error=_show_on_login_field,
    )


@admin_required
def user_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(actor=request.user, pk=pk)
    initial = initial_of(user, services.USER_FIELDS)
    initial.update(roles=sorted(user.role_codes()), team=user.team)
    form = UserProfileFields(request.POST or None, initial=initial)
    saved = form_post(
        request,
        form,
        lambda: services.user_update(actor=request.user, user=user, **form.cleaned_data),
        success=_("Changes saved."),
        to=reverse("accounts:user_edit", args=[user.pk]),
        show_error=show_on_top,
    )
    context = {
        "form": form,
        "subject": user,
        "title": str(user),
        **Back(reverse("accounts:user_list"), _("Users")).context(),
        "history": event_list_for_case(case_type="user", case_id=user.pk)[:20],
        "tokens": user.api_tokens.all(),
    }
    return saved or render(request, "accounts/user_edit.html", context)


team_list = ListPage.of(
    selectors,
    "team",
    gettext_lazy("Teams"),
    empty=gettext_lazy("No teams yet: create the first one."),
    create=gettext_lazy("New team"),
).view(guard=admin_required)


@admin_required
def team_create(request: AuthedRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    saved = form_post(
        request,
        form,
        lambda: services.team_create(actor=request.user, **form.cleaned_data),
        success=_("Team created."),
        to="accounts:team_list",
        show_error=_show_on_name,
    )
    return saved or _team_page(request, form, _("New team"))


@admin_required
def team_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    team = selectors.team_get(actor=request.user, pk=pk)
    initial = {"name": team.name, "head": team.head, "parent": team.parent}
    form = TeamForm(request.POST or None, initial=initial)
    saved = form_post(
        request,
        form,
        lambda: services.team_update(actor=request.user, team=team, **form.cleaned_data),
        success=_("Changes saved."),
        to="accounts:team_list",
        show_error=show_on_top,
    )
    return saved or _team_page(request, form, team.name)


@admin_required
def role_list(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        role = get_object_or_404(Role, pk=request.POST.get("role") or 0)
        services.role_set_access_level(
            actor=request.user, role=role, access_level=request.POST.get("access_level", "")
        )
        messages.success(request, _("Record access of %(role)s saved.") % {"role": role.label})
        return redirect("accounts:role_list")
    return render(
        request,
        "accounts/role_list.html",
        {
            "title": gettext_lazy("Roles"),
            "roles": selectors.role_list(),
            "levels": AccessLevel.choices,
        },
    )
