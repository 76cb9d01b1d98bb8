"""Record scoping: which owners' and teams' records an actor may see.

Every selector of every app passes its queryset through `scope_records`, so the rule lives in
one place: own records always; plus the actor's team (access level *team*); plus every team
they head, down the reporting line (*headed*); or everything (*all*). The widest level among
the actor's roles wins.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from .models import ACCESS_RANK, AccessLevel, Role, Team, User

M = TypeVar("M", bound=Model)


def access_level_of(actor: User) -> AccessLevel:
    if actor.is_superuser:
        return AccessLevel.ALL
    cached: AccessLevel | None = getattr(actor, "_access_level", None)
    if cached is None:
        levels = [
            AccessLevel(level)
            for level in Role.objects.filter(users=actor).values_list("access_level", flat=True)
        ]
        cached = max(levels, key=ACCESS_RANK.__getitem__, default=AccessLevel.OWN)
        actor._access_level = cached  # type: ignore[attr-defined]
    return cached


def headed_team_ids(actor: User) -> set[int]:
    """Teams the actor heads and every team reporting to them, however deep."""
    cached: set[int] | None = getattr(actor, "_headed_team_ids", None)
    if cached is not None:
        return cached
    edges = list(Team.objects.values_list("id", "parent_id", "head_id"))
    children: dict[int, list[int]] = {}
    for team_id, parent_id, _head in edges:
        if parent_id is not None:
            children.setdefault(parent_id, []).append(team_id)
    result: set[int] = set()
    stack = [team_id for team_id, _parent, head_id in edges if head_id == actor.pk]
    while stack:
        team_id = stack.pop()
        if team_id not in result:
            result.add(team_id)
            stack.extend(children.get(team_id, []))
    actor._headed_team_ids = result  # type: ignore[attr-defined]
    return result


def team_subtree_ids(team_id: int) -> set[int]:
    """The team and every team reporting to it, however deep (one query)."""
    children: dict[int, list[int]] = {}
    for child_id, parent_id in Team.objects.values_list("id", "parent_id"):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(child_id)
    result: set[int] = set()
    stack = [team_id]
    while stack:
        current = stack.pop()
        if current not in result:
            result.add(current)
            stack.extend(children.get(current, []))
    return result


def visible_team_ids(actor: User) -> set[int] | None:
    """Team ids whose records the actor sees; None means every team."""
    level = access_level_of(actor)
    if level == AccessLevel.ALL:
        return None
    teams: set[int] = set()
    if level in (AccessLevel.TEAM, AccessLevel.HEADED) and actor.team_id:
        teams.add(actor.team_id)
    if level == AccessLevel.HEADED:
        teams |= headed_team_ids(actor)
    return teams


def scope_records(
    qs: QuerySet[M], *, actor: User, owner_field: str = "responsible", team_field: str = "team"
) -> QuerySet[M]:
    """Narrow a queryset of team-owned records to what the actor may see."""
    teams = visible_team_ids(actor)
    if teams is None:
        return qs
    condition = Q(**{owner_field: actor.pk})
    if teams:
        condition |= Q(**{f"{team_field}__in": teams})
    return qs.filter(condition)


def scope_users(qs: QuerySet[User], *, actor: User) -> QuerySet[User]:
    """Colleagues the actor may see: the same rule applied to users (owner = themselves)."""
    return scope_records(qs, actor=actor, owner_field="pk", team_field="team")


def can_see_user(actor: User, user: User) -> bool:
    teams = visible_team_ids(actor)
    return teams is None or user.pk == actor.pk or (user.team_id in teams)
