"""Writers of the accounts app: users, teams, roles and API tokens.

Every function checks that the actor may do it (None is the system: management commands and
the demo seed), writes, and appends an event with before/after values.
"""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.core.errors import CoreError, DomainError, permission_denied
from greenwave.core.model_rows import ModelColumns
from greenwave.core.models import Event
from greenwave.core.record_change import changes_log, record_change
from greenwave.core.services import (
    RecordHistory,
    assign,
    changes_between,
    event_append,
    event_append_for,
    fields_check,
    ref,
    typed_fields,
)
from greenwave.core.text import visible_text

from . import events, scope_cache
from .errors import AccountsError
from .models import DEFAULT_ACCESS_LEVELS, AccessLevel, ApiToken, Role, RoleCode, Team, User

TOKEN_PREFIX = "gw"  # noqa: S105 - a visible marker, not a secret
# Refreshing last_used_at on every request would turn every API read into a write.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


class UserChanges(TypedDict, total=False):
    """A user's own fields that `user_create` and `user_update` take (roles and team apart)."""

    first_name: str
    last_name: str
    middle_name: str
    email: str
    position: str
    phone: str
    time_zone: str
    language: str
    is_active: bool


class TeamChanges(TypedDict):
    name: str
    head: User | None
    parent: Team | None


USER_FIELDS = typed_fields(UserChanges)


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_greenwave_admin:
        raise permission_denied(_("Only an administrator can manage users and teams."))


def roles_by_codes(codes: Iterable[str]) -> list[Role]:
    wanted = sorted(set(codes))
    unknown = [c for c in wanted if c not in RoleCode.values]
    if unknown:
        raise DomainError(
            AccountsError.UNKNOWN_ROLE,
            _("Unknown role: %(roles)s. Known roles: %(known)s.")
            % {"roles": ", ".join(unknown), "known": ", ".join(RoleCode.values)},
            details={"unknown": unknown, "known": list(RoleCode.values)},
        )
    roles = list(Role.objects.filter(code__in=wanted))
    missing = set(wanted) - {r.code for r in roles}
    # Rows are data; recreate one an operator deleted.
    roles.extend(
        Role.objects.create(code=code, access_level=DEFAULT_ACCESS_LEVELS[code])
        for code in sorted(missing)
    )
    return roles


def _validate_time_zone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise DomainError(
            AccountsError.INVALID_TIME_ZONE,
            _("Unknown time zone: %(tz)s.") % {"tz": name},
            details={"time_zone": name},
        )


def _validate_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(
            AccountsError.WEAK_PASSWORD,
            " ".join(exc.messages),
            details={"password": exc.messages},
        ) from exc


def _user_team_and_roles(user: User) -> dict[str, Any]:
    return {
        "team": user.team.name if user.team else None,
        "roles": sorted(user.roles.values_list("code", flat=True)) if user.pk else [],
    }


_USER_HISTORY = RecordHistory(
    User.objects.all(), schema=UserChanges, changed=events.USER_CHANGED, shown=_user_team_and_roles
)


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None = None,
    roles: Iterable[str] = (),
    team: Team | None = None,
    validate: bool = True,
    **fields: Unpack[UserChanges],
) -> User:
    """Create a user with roles and a team. `password=None` leaves it unusable (reset by mail)."""
    _require_admin(actor)
    username = username.strip()
    if not username:
        raise DomainError(
            CoreError.VALIDATION, _("A login name is required."), details={"field": "username"}
        )
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            AccountsError.USERNAME_TAKEN,
            _("The login name %(name)s is already taken.") % {"name": username},
        )
    role_rows = roles_by_codes(roles)
    fields_check(fields, UserChanges)
    user = User(username=username, team=team, **fields)
    _validate_time_zone(user.time_zone)
    if password is None:
        user.set_unusable_password()
    else:
        if validate:
            _validate_password(password, user)
        user.set_password(password)
    user.save()
    user.roles.set(role_rows)
    user.forget_roles()
    event_append_for(
        user,
        activity=events.USER_CREATED,
        actor=actor,
        payload={"after": _USER_HISTORY.snapshot(user)},
        objects=[ref(team, "team")] if team else [],
    )
    return user


@transaction.atomic
def user_set_password(
    *, actor: User | None, user: User, password: str, validate: bool = True
) -> User:
    """Give a user a new password (an administrator's act; the event keeps no secret)."""
    _require_admin(actor)
    if validate:
        _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    event_append_for(
        user, activity=events.USER_CHANGED, actor=actor, payload={"changed": ["password"]}
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: User | None,
    user: User,
    roles: Iterable[str] | None = None,
    team: Team | bool | None = False,
    **fields: Unpack[UserChanges],
) -> User:
    """Change a user's profile, roles or team; `team=False` means "leave the team alone"."""
    _require_admin(actor)

    def apply(user: User) -> None:
        assign(user, fields)
        if team is not False:
            user.team = team if isinstance(team, Team) else None
        _validate_time_zone(user.time_zone)
        oneself = actor is not None and actor.pk == user.pk
        if oneself and fields.get("is_active") is False:
            raise permission_denied(_("You cannot deactivate yourself."))
        if roles is None:
            return
        role_rows = roles_by_codes(roles)
        removes_own_admin = (
            oneself
            and RoleCode.ADMIN not in {r.code for r in role_rows}
            and not user.is_superuser
            and user.roles.filter(code=RoleCode.ADMIN).exists()
        )
        if removes_own_admin:
            raise permission_denied(_("You cannot remove your own administrator role."))
        user.roles.set(role_rows)
        user.forget_roles()

    return _USER_HISTORY.update(user, fields, apply, actor=actor)


@transaction.atomic
def preferences_update(*, actor: User, language: str, time_zone: str) -> User:
    """A user's own language and time zone (no admin right needed)."""
    if language not in {"ru", "en"}:
        raise DomainError(AccountsError.INVALID_TIME_ZONE, _("Unknown language."))
    _validate_time_zone(time_zone)
    before = {"language": actor.language, "time_zone": actor.time_zone}
    actor.language, actor.time_zone = language, time_zone
    actor.save(update_fields=["language", "time_zone"])
    changes = changes_between(before, {"language": language, "time_zone": time_zone})
    changes_log(actor, changes, activity=events.USER_CHANGED, actor=actor)
    return actor


def _check_team_parent(team: Team | None, parent: Team | None) -> None:
    node = parent
    while node is not None:
        if team is not None and node.pk == team.pk:
            raise DomainError(
                AccountsError.TEAM_CYCLE,
                _("A team cannot report to itself or to a team below it."),
            )
        node = node.parent


def _team_head_and_parent(team: Team) -> dict[str, Any]:
    return {
        "head": team.head.username if team.head else None,
        "parent": team.parent.name if team.parent else None,
    }


_TEAM_HISTORY = RecordHistory(
    Team.objects.all(),
    schema=TeamChanges,
    changed=events.TEAM_CHANGED,
    created=events.TEAM_CREATED,
    shown=_team_head_and_parent,
)


def _team_name(value: str) -> str:
    name = visible_text(value)
    if not name:
        raise DomainError(
            CoreError.VALIDATION, _("A team needs a name."), details={"field": "name"}
        )
    return name


@transaction.atomic
def team_create(
    *, actor: User | None, name: str, head: User | None = None, parent: Team | None = None
) -> Team:
    _require_admin(actor)
    name = _team_name(name)
    if Team.objects.filter(name__iexact=name).exists():
        raise DomainError(
            AccountsError.TEAM_NAME_TAKEN,
            _("A team named %(name)s already exists.") % {"name": name},
        )
    team = Team(name=name, head=head, parent=parent)
    return _TEAM_HISTORY.create(team, actor=actor)


@transaction.atomic
def team_update(
    *, actor: User | None, team: Team, name: str, head: User | None, parent: Team | None
) -> Team:
    _require_admin(actor)

    def apply(team: Team) -> None:
        clean = _team_name(name)
        if Team.objects.filter(name__iexact=clean).exclude(pk=team.pk).exists():
            raise DomainError(
                AccountsError.TEAM_NAME_TAKEN,
                _("A team named %(name)s already exists.") % {"name": clean},
            )
        _check_team_parent(team, parent)
        team.name, team.head, team.parent = clean, head, parent

    return _TEAM_HISTORY.update(
        team, TeamChanges(name=name, head=head, parent=parent), apply, actor=actor
    )


def _hash_token(raw: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_issue(
    *, actor: User | None, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    if actor is not None and actor.pk != user.pk:
        _require_admin(actor)
    secret = secrets.token_urlsafe(32)
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or _("API token"),
        prefix=prefix,
        key_hash=_hash_token(raw),
        expires_at=expires_at,
    )
    event_append_for(
        user,
        activity=events.TOKEN_ISSUED,
        actor=actor,
        payload={"token": token.prefix, "name": token.name},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    if actor is not None and actor.pk != token.user_id:
        _require_admin(actor)
    if token.revoked_at is None:
        record_change(
            token,
            {"revoked_at": timezone.now()},
            activity=events.TOKEN_REVOKED,
            actor=actor,
            payload={"token": token.prefix, "name": token.name},
            case=token.user,
        )
    return token


def scope_stamps_renew() -> None:
    """Give every user a new scope stamp (in the caller's transaction), so that no process
    uses what it kept for the old ones (`scope_cache.keep`): for changes of settings other
    apps keep per stamp, made behind signals (`QuerySet.update`) or in them."""
    User.objects.update(scope_stamp=scope_cache.new_stamp())


class _TokenStatement:
    """The bearer token's read — the token with its user and the user's team, as
    `select_related("user", "user__team")` reads them — written once per process and
    database vendor instead of composed by the ORM on every request (issue #23)."""

    def __init__(self) -> None:
        quote = connection.ops.quote_name
        self.token = ModelColumns(ApiToken, "t")
        self.user = ModelColumns(User, "u")
        self.team = ModelColumns(Team, "m")
        tables = [quote(model._meta.db_table) for model in (ApiToken, User, Team)]
        pk, user_id, team_id, key_hash = (
            quote(name) for name in ("id", "user_id", "team_id", "key_hash")
        )
        # Identifiers of the models only: the hash goes as a parameter.
        self.sql = (
            f"SELECT {self.token.sql}, {self.user.sql}, {self.team.sql} "  # noqa: S608
            f"FROM {tables[0]} t INNER JOIN {tables[1]} u ON u.{pk} = t.{user_id} "
            f"LEFT OUTER JOIN {tables[2]} m ON m.{pk} = u.{team_id} WHERE t.{key_hash} = %s"
        )

    def read(self, key_hash: str) -> ApiToken | None:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [key_hash])
            row = cursor.fetchone()
        if row is None:
            return None
        ends = (self.token.width, self.token.width + self.user.width)
        token: ApiToken = self.token.build(row[: ends[0]])
        user: User = self.user.build(row[ends[0] : ends[1]])
        team_row = row[ends[1] :]
        team = self.team.build(team_row) if team_row[0] is not None else None
        User.team.field.set_cached_value(user, team)
        ApiToken.user.field.set_cached_value(token, user)
        return token


_TOKEN_STATEMENTS: dict[str, _TokenStatement] = {}


def _token_read(key_hash: str) -> ApiToken | None:
    statement = _TOKEN_STATEMENTS.get(connection.vendor)
    if statement is None:
        statement = _TOKEN_STATEMENTS[connection.vendor] = _TokenStatement()
    return statement.read(key_hash)


def token_authenticate(raw: str) -> User | None:
    """The user behind a bearer token, or None if it is unknown, expired, revoked or inactive."""
    if not raw or len(raw) > 200:
        return None
    token = _token_read(_hash_token(raw))
    now = timezone.now()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    scope_cache.attach(token.user)  # its roles and headed teams, if this process knows them
    return token.user


@transaction.atomic
def role_set_access_level(*, actor: User | None, role: Role, access_level: str) -> Role:
    """Change how far a role sees records (own / team / teams headed / all)."""
    _require_admin(actor)
    if access_level not in AccessLevel.values:
        raise DomainError(AccountsError.UNKNOWN_ROLE, _("Unknown access level."))
    before = role.access_level
    if before != access_level:
        role.access_level = access_level
        role.save(update_fields=["access_level"])
        event_append(
            case_type="role",
            case_id=role.code,
            activity=events.ROLE_CHANGED,
            actor=actor,
            payload={"changes": {"access_level": [before, access_level]}},
        )
    return role


DEMO_CASE = ("demo", "company")
DEMO_SEEDED = "demo_company_seeded"


def demo_company_mark_seeded() -> None:
    """Record once that `seed_demo` built the demo company: the sign-in page and the home
    page then point to the demo logins and the first steps (a company's own user named
    «director» is not a demo)."""
    case_type, case_id = DEMO_CASE
    if not Event.objects.filter(case_type=case_type, activity=DEMO_SEEDED).exists():
        event_append(
            case_type=case_type, case_id=case_id, activity=DEMO_SEEDED, actor=None, new_case=True
        )
