"""New scope stamps for every user when a pipeline or a stage changes, so that no process
answers from the first stages it kept for the old stamps (`selectors.stage_first_kept`)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from greenwave.accounts.services import scope_stamps_renew

from .models import Pipeline, Stage


def _catalog_changed(**_kwargs: Any) -> None:
    scope_stamps_renew()


def connect() -> None:
    for model in (Pipeline, Stage):
        name = model.__name__
        post_save.connect(_catalog_changed, sender=model, dispatch_uid=f"gw_sales_{name}_s")
        post_delete.connect(_catalog_changed, sender=model, dispatch_uid=f"gw_sales_{name}_d")
