"""Writers of the mining app: only the directly-follows rollup (`models.DfgEdge` per edge,
`models.DfgCell` by team, owner and month, `models.RollupCase`: the dims each deal is summed
under).

`rollup_update` is the worker's periodic job. It reads the deal events past the applied id,
but only up to an id it saw at least `MINING_ROLLUP_SETTLE_SECONDS` ago (ids are handed out
at insert and become visible at commit, so a slow transaction may commit an id below one
already read — the webhook dispatcher's rule). For every deal with such events it subtracts
the deal's contribution as of the applied id and adds the one as of the new id: a late event
(a timestamp before the deal's last one) reshapes the deal's path and the rollup follows.
An event whose transaction stays open longer than the settle window would be missed, and the
log is append-only: deleting events needs `manage.py mining_rollup --rebuild`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.core.models import Event
from greenwave.core.selectors import event_last_id
from greenwave.core.services import event_append

from . import rollup
from .models import DfgCell, DfgEdge, RollupCursor

ROLLUP_CASE_TYPE = "mining_rollup"
ROLLUP_REBUILT = "mining_rollup_rebuilt"


def _settle_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "MINING_ROLLUP_SETTLE_SECONDS", 60))


def _locked_cursor() -> RollupCursor:
    cursor, _created = RollupCursor.objects.get_or_create(name=rollup.CURSOR)
    return RollupCursor.objects.select_for_update().get(pk=cursor.pk)


@transaction.atomic
def rollup_update(now: datetime | None = None) -> int:
    """The periodic job: apply the settled deal events; returns how many deals it reshaped.

    The first run only notes the last id; the run after the settle window builds the rollup
    (up to that id) if it was never built, then applies increments."""
    moment = now or timezone.now()
    cursor = _locked_cursor()
    high = event_last_id()
    handled = 0
    if cursor.seen_at is not None and cursor.seen_at <= moment - _settle_after():
        target = cursor.seen_id
        if cursor.applied_id is None:
            _rebuild(max_id=target)
        elif target > cursor.applied_id:
            handled = _apply(cursor.applied_id, target)
        cursor.applied_id = max(target, cursor.applied_id or 0)
        cursor.seen_id, cursor.seen_at = high, moment
        cursor.save()
    elif cursor.seen_at is None:
        cursor.seen_id, cursor.seen_at = high, moment
        cursor.save()
    return handled


def _apply(low: int, high: int) -> int:
    """Replace the contribution (as of `low`, under the dims it was summed under) of every
    deal with events in (low, high] by its contribution now (as of `high`, its dims now).

    Any deal event counts, not only the mapped ones: a reassignment moves the deal's
    contribution to its new team and owner."""
    cases = rollup.deal_ids(
        Event.objects.filter(case_type="deal", pk__gt=low, pk__lte=high)
        .order_by()
        .values_list("case_id", flat=True)
        .distinct()
    )
    if not cases:
        return 0
    delta = rollup.cells(dims=rollup.CURRENT, case_ids=cases, max_id=high)
    rollup.merge(delta, rollup.cells(dims=rollup.STORED, case_ids=cases, max_id=low), -1)
    _store_cells(DfgCell.OWNER, delta)
    _store_cells(DfgCell.MONTH, rollup.month_cells(delta))
    _store_cells(DfgCell.TEAM, rollup.team_cells(delta))
    for pipeline_id, tallies in rollup.edge_tallies(delta).items():
        _store_delta(pipeline_id, tallies)
    _remember_dims(cases)
    return len(cases)


def _remember_dims(cases: list[str]) -> None:
    """The deals' dims now become the ones their contribution is summed under."""
    with connection.cursor() as cursor:
        for start in range(0, len(cases), rollup.CASE_CHUNK):
            chunk = cases[start : start + rollup.CASE_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM mining_rollupcase WHERE case_id IN ({marks})", chunk)  # noqa: S608
            dims, params = rollup.dims_of(rollup.CURRENT, chunk)
            cursor.execute(
                f"INSERT INTO mining_rollupcase (case_id, pipeline_id, team_id, owner_id) {dims}",
                params,
            )


def _store_cells(grain: int, delta: rollup.Cells) -> None:
    """Add the delta to the stored cells of a grain (rows locked; emptied rows deleted)."""
    groups: dict[tuple[int, int, int, int, int], dict[tuple[str, str], rollup.Tally]] = {}
    for (pipeline_id, team, owner, smon, tmon, src, tgt), tally in delta.items():
        groups.setdefault((pipeline_id, team, owner, smon, tmon), {})[(src, tgt)] = tally
    changed, created, emptied = [], [], []
    for (pipeline_id, team, owner, smon, tmon), edges in sorted(groups.items()):
        cell = {
            "pipeline_id": pipeline_id,
            "grain": grain,
            "team_id": team,
            "owner_id": owner,
            "source_month": smon,
            "target_month": tmon,
        }
        current = {
            (row.source, row.target): row
            for row in DfgCell.objects.select_for_update().filter(**cell)
        }
        for (src, tgt), change in edges.items():
            row = current.get((src, tgt))
            tally = rollup.stored_tally(row) if row is not None else rollup.Tally()
            tally.add(change)
            if tally.count <= 0:
                if row is not None:
                    emptied.append(row.pk)
                continue
            if row is None:
                row = DfgCell(**cell, source=src, target=tgt)
                created.append(row)
            else:
                changed.append(row)
            row.count, row.timed, row.total_seconds = tally.count, tally.timed, tally.total_seconds
            row.buckets = {str(k): v for k, v in sorted(tally.buckets.items())}
    DfgCell.objects.filter(pk__in=emptied).delete()
    DfgCell.objects.bulk_update(changed, ["count", "timed", "total_seconds", "buckets"], 500)
    DfgCell.objects.bulk_create(created, batch_size=500)


def _store_delta(pipeline_id: int, delta: rollup.Contribution) -> None:
    current = {
        (row.source, row.target): row
        for row in DfgEdge.objects.select_for_update().filter(pipeline_id=pipeline_id)
    }
    for (src, tgt), change in delta.items():
        row = current.get((src, tgt))
        tally = rollup.Tally()
        if row is not None:
            tally = rollup.stored_tally(row)
        tally.add(change)
        if tally.count <= 0:
            if row is not None:
                row.delete()
            continue
        row = row or DfgEdge(pipeline_id=pipeline_id, source=src, target=tgt)
        row.count, row.timed, row.total_seconds = tally.count, tally.timed, tally.total_seconds
        row.buckets = {str(k): v for k, v in sorted(tally.buckets.items())}
        row.save()


def _rebuild(*, max_id: int) -> int:
    rollup.rebuild_sql(max_id)
    return DfgEdge.objects.count()


@transaction.atomic
def rollup_rebuild(*, actor: User | None = None) -> dict[str, Any]:
    """Rebuild the rollup from the whole log (up to the last id now), recorded in the log.

    Events of transactions still open at this moment are applied by the worker only if
    their ids are above the last id read here; run it when the log is quiet."""
    started = timezone.now()
    cursor = _locked_cursor()
    high = event_last_id()
    edges = _rebuild(max_id=high)
    cursor.applied_id = high
    cursor.seen_id, cursor.seen_at = high, None  # the worker notes the next id to settle
    cursor.save()
    result = {
        "applied_id": high,
        "edges": edges,
        "seconds": round((timezone.now() - started).total_seconds(), 3),
    }
    event_append(
        case_type=ROLLUP_CASE_TYPE,
        case_id=rollup.CURSOR,
        activity=ROLLUP_REBUILT,
        actor=actor,
        payload=result,
    )
    return result
