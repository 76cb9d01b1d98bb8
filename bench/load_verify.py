"""After the load test: did the database keep every write the clients were told succeeded?

`collect()` reads what the database holds for the deals and tasks the load touched;
`problems()` compares it with what the clients saw (`Observed`) and returns one sentence per
lost update, phantom write or duplicate event — an empty list when nothing was lost. The
comparison is plain Python over rows, so `bench/test_load_verify.py` checks it on records made
by the services (and on records broken on purpose), without a load run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

DEAL_CREATED = "deal_created"
DEAL_STAGE_CHANGED = "deal_stage_changed"
TASK_COMPLETED = "process_task_completed"


@dataclass
class Observed:
    """What the clients were answered: 201 for these deals, 200 for so many moves of each deal,
    200 for completing these tasks."""

    created: list[int] = field(default_factory=list)
    moves_ok: dict[int, int] = field(default_factory=dict)
    completed: list[int] = field(default_factory=list)


@dataclass
class DealRow:
    pk: int
    version: int
    stage_id: int
    # (activity, payload) of the deal's own case, in log order (timestamp, id)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # (timestamp, prev_activity, prev_timestamp) of each event in the same order: the chain
    # event_append keeps under the case's lock
    chain: list[tuple[Any, str, Any]] = field(default_factory=list)


@dataclass
class Snapshot:
    deals: dict[int, DealRow]
    marked: set[int]  # deals in the database carrying the run's title marker
    task_status: dict[int, str]  # task id -> status, for the tasks offered to the clients
    task_events: Counter[int]  # task id -> number of process_task_completed events


def collect(*, deal_ids: set[int], marker: str, created_after: int, task_ids: set[int]) -> Snapshot:
    """Read the deals (with their event chains) and tasks of a run from the database."""
    from greenwave.bpm.models import HumanTask
    from greenwave.core.models import Event
    from greenwave.sales.models import Deal

    marked = set(
        Deal.objects.filter(pk__gt=created_after, title__startswith=marker).values_list(
            "pk", flat=True
        )
    )
    ids = deal_ids | marked
    deals = {
        pk: DealRow(pk=pk, version=version, stage_id=stage_id)
        for pk, version, stage_id in Deal.objects.filter(pk__in=ids).values_list(
            "pk", "version", "stage_id"
        )
    }
    rows = (
        Event.objects.filter(case_type="deal", case_id__in=[str(pk) for pk in ids])
        .order_by("timestamp", "id")
        .values_list(
            "case_id", "activity", "payload", "timestamp", "prev_activity", "prev_timestamp"
        )
    )
    for case_id, activity, payload, timestamp, prev, prev_at in rows:
        deal = deals.get(int(case_id))
        if deal is not None:
            deal.events.append((activity, payload))
            deal.chain.append((timestamp, prev, prev_at))
    task_status = dict(HumanTask.objects.filter(pk__in=task_ids).values_list("pk", "status"))
    task_events: Counter[int] = Counter()
    if task_ids:
        payloads = Event.objects.filter(
            case_type="process_instance",
            activity=TASK_COMPLETED,
            case_id__in=[
                str(i)
                for i in HumanTask.objects.filter(pk__in=task_ids).values_list(
                    "instance_id", flat=True
                )
            ],
        ).values_list("payload", flat=True)
        for payload in payloads:
            if payload.get("task") in task_ids:
                task_events[int(payload["task"])] += 1
    return Snapshot(deals=deals, marked=marked, task_status=task_status, task_events=task_events)


def problems(snapshot: Snapshot, observed: Observed, *, seeded: set[int]) -> list[str]:
    """Every way the database disagrees with the answers the clients got.

    - every deal answered 201 exists, and no deal of the run exists that nobody was answered;
    - every deal of the run (created or seeded) has exactly one `deal_created` event;
    - a deal's version went up exactly once per move answered 200, and each of those moves
      left exactly one `deal_stage_changed` event (version - 1 = events = successful moves);
    - the stage events chain: each starts where the previous one ended, the last one ends at
      the deal's stage, and `prev_activity` names the event before (no event appended twice or
      by two writers at once: its activity and timestamp);
    - every task answered 200 is completed and has exactly one completion event; no other
      offered task has one.
    """
    found: list[str] = []
    created = Counter(observed.created)
    for pk, n in created.items():
        if n > 1:
            found.append(f"deal {pk}: answered 201 {n} times")
        if pk not in snapshot.deals:
            found.append(f"deal {pk}: answered 201 but not in the database")
    found += [
        f"deal {pk}: in the database but no client was answered 201 for it"
        for pk in sorted(snapshot.marked - set(created))
    ]
    for pk in sorted(set(created) | seeded | set(observed.moves_ok)):
        deal = snapshot.deals.get(pk)
        if deal is None:
            if pk not in created:  # already reported above
                found.append(f"deal {pk}: missing from the database")
            continue
        found += _deal_problems(deal, observed.moves_ok.get(pk, 0))
    completed = Counter(observed.completed)
    for pk, n in sorted(completed.items()):
        if n > 1:
            found.append(f"task {pk}: answered 200 to {n} completions")
        status = snapshot.task_status.get(pk)
        if status != "completed":
            found.append(f"task {pk}: answered 200 but its status is {status}")
    for pk, n in sorted(snapshot.task_events.items()):
        if n != 1:
            found.append(f"task {pk}: {n} completion events")
        if pk not in completed:
            found.append(f"task {pk}: completed in the database but no client was answered 200")
    return found


def _deal_problems(deal: DealRow, moves_ok: int) -> list[str]:
    found: list[str] = []
    activities = Counter(activity for activity, _payload in deal.events)
    if activities[DEAL_CREATED] != 1:
        found.append(f"deal {deal.pk}: {activities[DEAL_CREATED]} deal_created events")
    moves = [payload for activity, payload in deal.events if activity == DEAL_STAGE_CHANGED]
    if not (deal.version - 1 == len(moves) == moves_ok):
        found.append(
            f"deal {deal.pk}: version {deal.version}, {len(moves)} stage events, "
            f"{moves_ok} moves answered 200 (expected version - 1 = events = moves)"
        )
    created = [payload for activity, payload in deal.events if activity == DEAL_CREATED]
    stage = created[0].get("stage") if created else None
    for i, payload in enumerate(moves):
        if stage is not None and payload.get("from_stage") != stage:
            found.append(
                f"deal {deal.pk}: stage event {i + 1} starts at {payload.get('from_stage')}, "
                f"the previous one ended at {stage}"
            )
        stage = payload.get("to_stage")
    if stage is not None and stage != deal.stage_id:
        found.append(f"deal {deal.pk}: events end at stage {stage}, the deal is at {deal.stage_id}")
    found += [
        f"deal {deal.pk}: event {i + 1} ({deal.events[i][0]}) names "
        f"{deal.chain[i][1]!r} at {deal.chain[i][2]} as its previous event, the log has "
        f"{deal.events[i - 1][0]!r} at {deal.chain[i - 1][0]}"
        for i in range(1, len(deal.events))
        if deal.chain[i][1:] != (deal.events[i - 1][0], deal.chain[i - 1][0])
    ]
    return found
