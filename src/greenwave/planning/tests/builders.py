"""Records the planning tests build straight in the tables, as history already there."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from greenwave.activities.models import Activity


def call_done(user: Any, *, subject: str = "today", when: datetime | None = None) -> Activity:
    """A call of `user`'s, completed at `when` (now unless given)."""
    return Activity.objects.create(
        kind="call",
        status="done",
        subject=subject,
        completed_at=when or timezone.now(),
        responsible=user,
        team=user.team,
    )
