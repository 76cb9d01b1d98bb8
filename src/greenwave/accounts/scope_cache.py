"""What a user's record scope needs — their roles' levels and the teams they head — kept in the
process between requests, keyed by the user's id and `User.scope_stamp`.

A request reads the user's row anyway (the bearer token's statement joins it), so the stamp
comes for free; the roles and the team tree are read only when the stamp is new to this
process. Every change those depend on gives the users concerned a new stamp in the same
transaction (`accounts.signals`): a user's roles added, removed or cleared (either side of
the relation), a role saved or deleted, a team saved or deleted (its head or parent may have
changed: every user gets a new stamp, teams change rarely). Whether the token is revoked or
expired and whether the user is active, a superuser, or in which team are read from the rows
on every request, never from here.

Stamps are random, not counters, so a user id used again (SQLite reuses them after a
rollback) never meets another user's entry.

Other apps may keep values of their own for a stamp (`keep`, `kept`) — read-mostly settings
such as the sales pipelines' first stages — if every change of what they keep renews every
user's stamp (`accounts.services.scope_stamps_renew`) in the changing transaction.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

MAX_ENTRIES = 4096
# The attributes of a `User` instance that `accounts.scoping` and `User.role_rows` fill.
ATTRS = ("_role_rows", "_access_level", "_write_level", "_headed_team_ids")

_entries: dict[tuple[int, int], dict[str, Any]] = {}
_lock = threading.Lock()


def new_stamp() -> int:
    """A fresh stamp (a positive 62-bit integer)."""
    return secrets.randbits(62) + 1


def attach(user: Any) -> None:
    """Mark a user just read from the database as cacheable and give it what this process
    already knows for its stamp. Only instances read this way are ever stored."""
    key = (user.pk, user.scope_stamp)
    user.__dict__["_scope_key"] = key
    entry = _entries.get(key)
    if entry is None:
        return
    for name, value in entry.items():
        if name not in ATTRS:  # another app's value (`keep`): handed out by `kept` only
            continue
        # A copy of a set: callers may change what they are given.
        user.__dict__[name] = set(value) if isinstance(value, set) else value


def remember(user: Any, name: str, value: Any) -> None:
    """Keep one computed attribute of an attached user for its stamp."""
    if name in ATTRS:
        _store(user, name, set(value) if isinstance(value, set) else value)


def _store(user: Any, name: str, value: Any) -> None:
    key = user.__dict__.get("_scope_key")
    if key is None:
        return
    with _lock:
        entry = _entries.get(key)
        if entry is None:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            entry = _entries[key] = {}
        entry[name] = value


def keep(user: Any, name: str, value: Any) -> None:
    """Keep another app's value for an attached user's stamp (never one of `ATTRS`). The value
    is shared by every later request of the stamp: keep only what nobody changes in place."""
    if name not in ATTRS:
        _store(user, name, value)


def kept(user: Any, name: str) -> Any:
    """What `keep` kept under `name` for the user's stamp, or None."""
    key = user.__dict__.get("_scope_key")
    entry = _entries.get(key) if key is not None else None
    return None if entry is None or name in ATTRS else entry.get(name)


def detach(user: Any) -> None:
    """The instance no longer matches its stamp (its roles changed in this request)."""
    user.__dict__.pop("_scope_key", None)


def clear() -> None:
    with _lock:
        _entries.clear()
