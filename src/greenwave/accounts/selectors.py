"""Readers of the accounts app; each takes the acting user and applies record scoping."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from greenwave.core.errors import not_found
from greenwave.core.listing import FilterSpec, ListQuery, ListSpec, SortSpec, apply_list_query
from greenwave.core.models import Event
from greenwave.core.selectors import row_get

from .models import ApiToken, Role, RoleCode, Team, User
from .scoping import scope_users


def _team_choices(actor: object) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Team.objects.values_list("pk", "name")]


def _role_choices(actor: object) -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in RoleCode.choices]


USER_LIST_SPEC = ListSpec(
    search_fields=("username", "first_name", "last_name", "email", "position"),
    sorts=(
        SortSpec("name", _("Full name"), ("last_name", "first_name")),
        SortSpec("username", _("Login"), ("username",)),
        SortSpec("team", _("Team"), ("team__name",)),
        SortSpec("joined", _("Joined"), ("date_joined",)),
    ),
    default_sort="name",
    filters=(
        FilterSpec(
            "role", _("Role"), "roles__code", choices=_role_choices, allowed=tuple(RoleCode.values)
        ),
        FilterSpec("team", _("Team"), "team_id", kind="int", choices=_team_choices),
        FilterSpec("active", _("Active"), "is_active", kind="bool"),
    ),
)

TEAM_LIST_SPEC = ListSpec(
    search_fields=("name", "head__last_name", "head__username"),
    sorts=(
        SortSpec("name", _("Name"), ("name",)),
        SortSpec("members", _("Members"), ("member_count",)),
    ),
    default_sort="name",
)


def responsible_choices(actor: User) -> list[tuple[str, str]]:
    """The active users the actor sees, as (pk, name): whom a list can be filtered by."""
    users = scope_users(User.objects.filter(is_active=True), actor=actor)
    return [(str(u.pk), str(u)) for u in users.only("pk", "first_name", "last_name", "username")]


def responsible_filter(name: str = "responsible") -> FilterSpec:
    """A list's filter by the records' responsible (`name` is the URL parameter)."""
    return FilterSpec(
        name, _("Responsible"), "responsible_id", kind="int", choices=responsible_choices
    )


def user_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[User]:
    qs = scope_users(User.objects.all(), actor=actor)
    if query is not None:
        qs = apply_list_query(qs, USER_LIST_SPEC, query)
        if "role" in query.filters:
            qs = qs.distinct()
    return qs.select_related("team").prefetch_related("roles")


def user_get(*, actor: User, pk: int) -> User:
    return row_get(user_list(actor=actor), pk, _("User not found."))


def team_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[Team]:
    qs = Team.objects.select_related("head", "parent").annotate(member_count=Count("members"))
    qs = apply_list_query(qs, TEAM_LIST_SPEC, query)
    return qs


def team_get(*, actor: User, pk: int) -> Team:
    return row_get(team_list(actor=actor), pk, _("Team not found."))


def role_list() -> QuerySet[Role]:
    return Role.objects.annotate(user_count=Count("users")).order_by("code")


def token_list(*, actor: User) -> QuerySet[ApiToken]:
    """The actor's own tokens (an admin manages others' from the user page)."""
    return ApiToken.objects.filter(user=actor).order_by("-created_at")


def token_get(*, actor: User, pk: int) -> ApiToken:
    token = ApiToken.objects.select_related("user").filter(pk=pk).first()
    if token is None or (token.user_id != actor.pk and not actor.is_greenwave_admin):
        raise not_found(_("Token not found."))
    return token


def demo_company_loaded() -> bool:
    """Whether `seed_demo` has built the demo company: the sign-in page then says where the
    demo logins are (never the password, which only the command prints)."""
    from .services import DEMO_CASE, DEMO_SEEDED

    return Event.objects.filter(case_type=DEMO_CASE[0], activity=DEMO_SEEDED).exists()
