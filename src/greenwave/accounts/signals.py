"""New scope stamps (`accounts.scope_cache`) for the users whose record scope a change moves."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from . import scope_cache
from .models import Role, Team, User


def _restamp_all(**_kwargs: Any) -> None:
    User.objects.update(scope_stamp=scope_cache.new_stamp())


def _roles_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **_kwargs: Any
) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # role.users.add(...) / .clear(): every holder may have changed
        _restamp_all()
        return
    stamp = scope_cache.new_stamp()
    User.objects.filter(pk=instance.pk).update(scope_stamp=stamp)
    instance.scope_stamp = stamp
    scope_cache.detach(instance)
    for name in scope_cache.ATTRS:
        instance.__dict__.pop(name, None)
    instance.__dict__.pop("_role_codes", None)


def connect() -> None:
    m2m_changed.connect(_roles_changed, sender=User.roles.through, dispatch_uid="gw_scope_roles")
    for model in (Role, Team):
        post_save.connect(_restamp_all, sender=model, dispatch_uid=f"gw_scope_{model.__name__}_s")
        post_delete.connect(_restamp_all, sender=model, dispatch_uid=f"gw_scope_{model.__name__}_d")
