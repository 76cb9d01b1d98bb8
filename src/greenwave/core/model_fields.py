"""Model fields the apps declare alike: a link a row keeps when what it points to goes."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)


def kept_link(
    to: type[_M], verbose_name: Any = None, *, blank: bool = True, related_name: str = "+"
) -> models.ForeignKey[_M | None, _M | None]:
    """An optional link that turns empty when its target is deleted (who started, uploaded
    or saved a row, the team that sees it, the deal an answer was about); the row itself
    stays. No reverse accessor unless `related_name` names one."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )
