"""Record scoping: which owners' and teams' records an actor may see.

Every selector of every app passes its queryset through `scope_records`, so the rule lives in
one place: own records always; plus the actor's team (access level *team*); plus every team
they head, down the reporting line (*headed*); or everything (*all*). The widest level among
the actor's roles wins.

Reading is not writing. Every service that changes a record asks `require_write` (or
`can_write`): the same rule, at the role's *write* level — its record access capped by
`WRITE_CEILINGS` (own / team / teams below for heads / everything for an administrator).
So a lawyer whose record access is *all* reads every deal but changes only their own
records; what their job needs on the others' (approvals, documents, process tasks) is
granted by those services on top of visibility, by role.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from greenwave.core.errors import not_found, permission_denied
from greenwave.core.trees import subtree_ids

from .models import ACCESS_RANK, HEAD_ROLES, WRITE_CEILINGS, AccessLevel, Team, User
from .scope_cache import remember

M = TypeVar("M", bound=Model)


def _widest(levels: list[AccessLevel]) -> AccessLevel:
    return max(levels, key=ACCESS_RANK.__getitem__, default=AccessLevel.OWN)


def _load_levels(actor: User) -> None:
    """Read (record access) and write levels of the actor's roles, in one query (the one
    `User.role_codes` reads too), cached."""
    if actor.is_superuser:
        actor._access_level = actor._write_level = AccessLevel.ALL  # type: ignore[attr-defined]
        return
    rows = [(code, AccessLevel(level)) for code, level in actor.role_rows()]
    actor._access_level = _widest([level for _code, level in rows])  # type: ignore[attr-defined]
    actor._write_level = _widest(  # type: ignore[attr-defined]
        [
            min(level, WRITE_CEILINGS.get(code, AccessLevel.OWN), key=ACCESS_RANK.__getitem__)
            for code, level in rows
        ]
    )
    remember(actor, "_access_level", actor._access_level)  # type: ignore[attr-defined]
    remember(actor, "_write_level", actor._write_level)  # type: ignore[attr-defined]


def access_level_of(actor: User) -> AccessLevel:
    """How far the actor reads records."""
    if getattr(actor, "_access_level", None) is None:
        _load_levels(actor)
    level: AccessLevel = actor._access_level  # type: ignore[attr-defined]
    return level


def write_level_of(actor: User) -> AccessLevel:
    """How far the actor changes records: per role, record access capped by its ceiling."""
    if getattr(actor, "_write_level", None) is None:
        _load_levels(actor)
    level: AccessLevel = actor._write_level  # type: ignore[attr-defined]
    return level


def headed_team_ids(actor: User) -> set[int]:
    """Teams the actor heads and every team reporting to them, however deep."""
    cached: set[int] | None = getattr(actor, "_headed_team_ids", None)
    if cached is not None:
        return cached
    edges = list(Team.objects.values_list("id", "parent_id", "head_id"))
    headed = [team_id for team_id, _parent, head_id in edges if head_id == actor.pk]
    result = subtree_ids(((team_id, parent_id) for team_id, parent_id, _head in edges), headed)
    actor._headed_team_ids = result  # type: ignore[attr-defined]
    remember(actor, "_headed_team_ids", result)
    return result


def team_subtree_ids(team_id: int) -> set[int]:
    """The team and every team reporting to it, however deep (one query)."""
    return subtree_ids(Team.objects.values_list("id", "parent_id"), [team_id])


def _team_ids_at(actor: User, level: AccessLevel) -> set[int] | None:
    if level == AccessLevel.ALL:
        return None
    teams: set[int] = set()
    if level in (AccessLevel.TEAM, AccessLevel.HEADED) and actor.team_id:
        teams.add(actor.team_id)
    if level == AccessLevel.HEADED:
        teams |= headed_team_ids(actor)
    return teams


def visible_team_ids(actor: User) -> set[int] | None:
    """Team ids whose records the actor sees; None means every team."""
    return _team_ids_at(actor, access_level_of(actor))


def writable_team_ids(actor: User) -> set[int] | None:
    """Team ids whose records the actor may change; None means every team."""
    return _team_ids_at(actor, write_level_of(actor))


def _scope(
    qs: QuerySet[M], teams: set[int] | None, actor: User, owner_field: str, team_field: str
) -> QuerySet[M]:
    if teams is None:
        return qs
    condition = Q(**{owner_field: actor.pk})
    if teams:
        condition |= Q(**{f"{team_field}__in": teams})
    return qs.filter(condition)


def scope_records(
    qs: QuerySet[M], *, actor: User, owner_field: str = "responsible", team_field: str = "team"
) -> QuerySet[M]:
    """Narrow a queryset of team-owned records to what the actor may see."""
    return _scope(qs, visible_team_ids(actor), actor, owner_field, team_field)


def scope_for_write(
    qs: QuerySet[M], *, actor: User, owner_field: str = "responsible", team_field: str = "team"
) -> QuerySet[M]:
    """Narrow a queryset of team-owned records to what the actor may change."""
    return _scope(qs, writable_team_ids(actor), actor, owner_field, team_field)


def scope_users(qs: QuerySet[User], *, actor: User) -> QuerySet[User]:
    """Colleagues the actor may see: the same rule applied to users (owner = themselves)."""
    return scope_records(qs, actor=actor, owner_field="pk", team_field="team")


def can_see_user(actor: User, user: User) -> bool:
    teams = visible_team_ids(actor)
    return teams is None or user.pk == actor.pk or (user.team_id in teams)


def can_write_for_user(actor: User, user: User) -> bool:
    """May the actor make `user` responsible for a record (give them a client, a deal…)?"""
    if user.pk == actor.pk:  # themselves: always, and without reading their roles and teams
        return True
    teams = writable_team_ids(actor)
    return teams is None or user.team_id in teams


def acts_as_head(actor: User | None) -> bool:
    """Whether the actor decides as a head does: a head of sales, an administrator, or the
    system (`actor=None`)."""
    return actor is None or actor.is_greenwave_admin or actor.has_role(*HEAD_ROLES)


def can_write(
    actor: User, record: Any, *, owner_field: str = "responsible", team_field: str = "team"
) -> bool:
    """May the actor change this team-owned record (own, a team in write reach, or admin)?"""
    teams = writable_team_ids(actor)
    if teams is None:
        return True
    if getattr(record, f"{owner_field}_id") == actor.pk:
        return True
    team_id = getattr(record, f"{team_field}_id")
    return team_id is not None and team_id in teams


def require_write(
    actor: User | None,
    record: Any,
    *,
    message: str | Promise | None = None,
    owner_field: str = "responsible",
    team_field: str = "team",
) -> None:
    """Refuse (403) a change of a record the actor may read but not change; `actor=None` is
    the system. Call it after the visibility check, which answers 404 for unseen records."""
    if actor is None or can_write(actor, record, owner_field=owner_field, team_field=team_field):
        return
    raise permission_denied(
        message or _("You can read this record but not change it: it belongs to another team.")
    )


def require_visible(actor: User | None, record: Any, message: str | Promise) -> None:
    """Answer 404 with `message` for a team-owned record the actor may not read (own, a team
    in reach, or everything); `actor=None` is the system."""
    if actor is None:
        return
    teams = visible_team_ids(actor)
    if teams is None or record.responsible_id == actor.pk or record.team_id in teams:
        return
    raise not_found(message)
