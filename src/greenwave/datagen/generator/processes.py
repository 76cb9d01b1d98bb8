"""Contract approval process instances, their tasks and the engine's saved state."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from greenwave.datagen.generator.base import (
    _REVIEW_GATEWAYS,
    APPROVAL_MAX_REWORK,
    APPROVAL_PROCESS,
    APPROVAL_REVIEWS,
    APPROVAL_REWORK_CHANGES,
    APPROVAL_REWORK_COMMENTS,
    APPROVAL_REWORK_P,
    APPROVAL_STEP_HOURS,
    INITIATOR_PLACEHOLDER,
    SLOW_APPROVER_FACTOR,
    ProcessRef,
    _Batch,
    _GeneratorBase,
    _Users,
)

# One step of an approval run: element, person, hours it waits, approved.
_Step = tuple[str, int, float, bool]


@dataclass
class _ApprovalRun:
    """One approval instance as it is written: who, its clock, events, tasks and variables."""

    pk: int
    process: ProcessRef
    users: _Users
    owner: int
    team: int
    head: int
    running: bool
    leave: datetime
    scale: float  # the steps' waits fitted into the stage's stay
    started: datetime
    clock: datetime  # the time of the last event
    variables: dict[str, Any]
    engine_ids: Sequence[str]
    chain: list[tuple[datetime, str, int | None, dict[str, Any]]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)


class ProcessesMixin(_GeneratorBase):
    def _deviate(self, steps: list[tuple[str, int, float, bool]]) -> None:
        """Take a finished run off the model now and then (`Config.approval_deviations`): the
        last round's finance review skipped (a small contract pushed through), the lawyer's
        review repeated (approved, reopened after the client's edits, approved again), or the
        lawyer reviewing before the head. Its own random stream: the rest is unchanged."""
        share = self.config.approval_deviations
        drng = self.deviation_rng
        if not share or drng.random() >= share:
            return
        # The last round is always head, lawyer, finance, each approving.
        head, lawyer, _finance = len(steps) - 3, len(steps) - 2, len(steps) - 1
        kind = drng.choice(("skipped", "repeated", "swapped"))
        if kind == "skipped":
            steps.pop()
        elif kind == "repeated":
            element, person, hours, _approved = steps[lawyer]
            again = hours * drng.uniform(0.3, 0.8)
            steps.insert(lawyer + 1, (element, person, again, True))
        else:
            steps[head], steps[lawyer] = steps[lawyer], steps[head]

    def _contract_approval(
        self,
        batch: _Batch,
        users: _Users,
        deal: int,
        owner: int,
        drafted: datetime,
        leave: datetime,
        *,
        running: bool = False,
    ) -> tuple[datetime, int] | None:
        """One `contract_approval` instance for a deal, written as `bpm.services` writes
        it (instance_start, task_complete, tasks_escalate_overdue): the instance and task
        rows, and its events (case = the instance, linked to the definition and the deal).
        Returns when it ended and the lawyer who approved; None if it is still running.

        `running`: the deal is still in the contract stage at `leave` (the end); the step
        not done by then stays open and the instance runs, with the engine state the engine
        leaves there (a template made by the engine, `ProcessRef.waiting`). A running one
        has had no rework (the templates are of the straight path)."""
        rng, process = self.rng, self.ref.approval
        assert process is not None
        if running and not process.waiting:
            return None
        team = users.team_of[owner]
        head = users.head_of[team]
        steps, reworks = self._approval_steps(users, owner, head, running=running)
        if not running:
            self._deviate(steps)
        started = drafted + timedelta(minutes=rng.uniform(5, 90))
        room = (leave - started).total_seconds() / 3600 * 0.9
        total = sum(h for _e, _p, h, _a in steps)
        scale = min(1.0, room / total) if total > 0 and not running else 1.0
        if started >= leave:
            return None
        run = _ApprovalRun(
            pk=self._id("bpm.processinstance"),
            process=process,
            users=users,
            owner=owner,
            team=team,
            head=head,
            running=running,
            leave=leave,
            scale=scale,
            started=started,
            clock=started,
            variables={"initiator": users.username[owner]},
            # A running instance's tasks are the engine's tasks in its state (straight path).
            engine_ids=process.waiting["review_finance"][2] if running else (),
        )
        self._approval_event(
            run, "process_started", owner, {"definition": process.key, "version": process.version}
        )
        self._approval_moved(run, "start", owner)
        open_step = self._approval_walk(run, steps)
        ended = self._approval_instance(batch, run, deal, steps, reworks, open_step)
        batch.tasks.extend(run.tasks)
        self._approval_events(batch, run, deal)
        if ended is None:
            return None
        lawyer = next(p for e, p, _h, a in reversed(steps) if e == "review_lawyer")
        return ended, lawyer

    def _approval_steps(
        self, users: _Users, owner: int, head: int, *, running: bool
    ) -> tuple[list[_Step], int]:
        """Who does each step of each round, and how long it waits (drawn up front so the
        whole run can be fitted into the stage's stay); and how many reworks."""
        rng = self.rng
        lawyers, finance = users.by_role["lawyer"], users.by_role["finance"]
        steps: list[_Step] = []
        reworks = 0
        while True:
            sent_back = False
            for element in APPROVAL_REVIEWS:
                person = {
                    "review_head": head,
                    "review_lawyer": rng.choice(lawyers),
                    "review_finance": rng.choice(finance),
                }[element]
                hours = rng.lognormvariate(math.log(APPROVAL_STEP_HOURS[element]), 0.5)
                if users.username[person] == self.config.slow_approver:
                    hours *= SLOW_APPROVER_FACTOR
                sent_back = (
                    not running
                    and reworks < APPROVAL_MAX_REWORK
                    and rng.random() < APPROVAL_REWORK_P[element]
                )
                steps.append((element, person, hours, not sent_back))
                if sent_back:
                    break
            if not sent_back:
                return steps, reworks
            reworks += 1
            hours = rng.lognormvariate(math.log(APPROVAL_STEP_HOURS["rework"]), 0.5)
            steps.append(("rework", owner, hours, True))

    def _approval_event(
        self, run: _ApprovalRun, activity: str, actor: int | None, payload: dict[str, Any]
    ) -> datetime:
        # One step's events share a transaction: a few milliseconds apart.
        run.clock += timedelta(milliseconds=self.rng.randint(1, 4))
        run.chain.append((run.clock, activity, actor, payload))
        return run.clock

    def _approval_moved(self, run: _ApprovalRun, element: str, actor: int) -> None:
        name, kind = run.process.elements[element]
        payload = {"element": element, "name": name, "kind": kind}
        self._approval_event(run, "process_token_moved", actor, payload)

    def _approval_task(
        self, run: _ApprovalRun, element: str, actor: int, step: int
    ) -> dict[str, Any]:
        """The task of a step, created (its `process_task_created` event)."""
        name, form, due_in, role = run.process.user_tasks[element]
        assignee = None if role else run.owner
        task_pk = self._id("bpm.humantask")
        at = self._approval_event(
            run,
            "process_task_created",
            actor,
            {
                "task": task_pk,
                "element": element,
                "name": name,
                "assignee": run.users.username[run.owner] if assignee else None,
                "candidate_role": role,
            },
        )
        task = {
            "id": task_pk,
            "created_at": at,
            "instance_id": run.pk,
            "engine_task_id": run.engine_ids[step]
            if run.running
            else str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "element_id": element,
            "name": name,
            "status": "completed",
            "assignee_id": assignee,
            "candidate_role": role,
            "candidate_team_id": None,
            "team_id": run.team,
            "form_schema": form,
            "due_at": at + due_in if due_in else None,
            "escalated_at": None,
        }
        run.tasks.append(task)
        return task

    def _approval_walk(self, run: _ApprovalRun, steps: list[_Step]) -> int | None:
        """The steps done one after the other; answers the step still open at the end of a
        running one (None: all done)."""
        task = self._approval_task(run, steps[0][0], run.owner, 0)
        for k, (element, person, hours, approved) in enumerate(steps):
            done_at = task["created_at"] + timedelta(hours=hours * run.scale)
            open_step: int | None = None
            if run.running and done_at >= run.leave:
                open_step, done_at = k, run.leave  # not done yet: overdue by the end, maybe
            self._approval_overdue(run, task, element, done_at)
            if open_step is not None:
                task.update(status="open", updated_at=task["escalated_at"] or task["created_at"])
                return open_step
            self._approval_complete(run, task, element, person, done_at, approved=approved)
            if k + 1 < len(steps):
                task = self._approval_task(run, steps[k + 1][0], person, k + 1)
        return None

    def _approval_overdue(
        self, run: _ApprovalRun, task: dict[str, Any], element: str, done_at: datetime
    ) -> None:
        """The periodic job escalates the overdue task to the head of its team."""
        due = task["due_at"]
        if due is None or due >= done_at:
            return
        escalated = due + timedelta(seconds=self.rng.randint(5, 300))
        if escalated >= done_at:
            return
        run.clock = escalated
        username = run.users.username
        self._approval_event(
            run,
            "process_task_overdue",
            None,
            {
                "task": task["id"],
                "element": element,
                "name": task["name"],
                "assignee": username[run.owner] if task["assignee_id"] else None,
                "candidate_role": task["candidate_role"],
                "escalated_to": username[run.head],
                "due_at": due.isoformat(),
            },
        )
        task["escalated_at"] = escalated

    def _approval_complete(
        self,
        run: _ApprovalRun,
        task: dict[str, Any],
        element: str,
        person: int,
        done_at: datetime,
        *,
        approved: bool,
    ) -> None:
        rng = self.rng
        if element == "rework":
            data: dict[str, Any] = {"changes": rng.choice(APPROVAL_REWORK_CHANGES)}
        else:
            comment = "" if approved else rng.choice(APPROVAL_REWORK_COMMENTS)
            data = {"decision": "approve" if approved else "rework", "comment": comment}
        run.variables.update(data)
        run.clock = done_at
        if task["assignee_id"] is None:
            task.update(assignee_id=person, claimed_by_id=person, claimed_at=done_at)
        task.update(completed_by_id=person, completed_at=done_at, updated_at=done_at, result=data)
        self._approval_event(
            run,
            "process_task_completed",
            person,
            {
                "task": task["id"],
                "element": element,
                "name": task["name"],
                "data": data,
                "waited_seconds": int((done_at - task["created_at"]).total_seconds()),
            },
        )
        if element != "rework":
            self._approval_moved(run, _REVIEW_GATEWAYS[element], person)

    def _approval_instance(
        self,
        batch: _Batch,
        run: _ApprovalRun,
        deal: int,
        steps: list[_Step],
        reworks: int,
        open_step: int | None,
    ) -> datetime | None:
        """The instance row (`open_step`: the step still open); answers when it ended
        (None: running)."""
        ended, element_states, state = self._approval_end(run, steps, reworks, open_step)
        batch.instances.append(
            {
                "id": run.pk,
                "created_at": run.started,
                "updated_at": ended or run.chain[-1][0],
                "definition_id": run.process.definition_id,
                "status": "completed" if ended else "running",
                "state": state,
                "serializer_version": run.process.serializer_version,
                "lock_version": 1 + (len(steps) if open_step is None else open_step),
                "variables": run.variables,
                "element_states": element_states,
                "business_key": f"deal:{deal}",
                "object_type": "deal",
                "object_id": str(deal),
                "responsible_id": run.owner,
                "team_id": run.team,
                "ended_at": ended,
            }
        )
        return ended

    def _approval_end(
        self, run: _ApprovalRun, steps: list[_Step], reworks: int, open_step: int | None
    ) -> tuple[datetime | None, dict[str, str], str]:
        """When it ended (None: running), its element states and its engine state."""
        if open_step is not None:
            template, element_states, _ids = run.process.waiting[steps[open_step][0]]
            state = template.replace(INITIATOR_PLACEHOLDER, run.users.username[run.owner])
            return None, element_states, state
        last = steps[-1][1]
        run.variables["notified"] = True
        self._approval_moved(run, "notify", last)
        self._approval_moved(run, "end", last)
        # The outcome is what a deal's gate reads (bpm.services writes it the same way).
        ended = self._approval_event(
            run, "process_completed", last, {"definition": APPROVAL_PROCESS, "outcome": "approved"}
        )
        # The last round passes every element (not the rejected end); rework is there only
        # if it was done.
        element_states = {
            e: "done"
            for e in run.process.elements
            if e != "end_rejected" and (e != "rework" or reworks)
        }
        return ended, element_states, ""

    def _approval_events(self, batch: _Batch, run: _ApprovalRun, deal: int) -> None:
        links = (
            ("deal", str(deal), "subject"),
            ("process_definition", str(run.process.definition_id), "definition"),
        )
        batch.case_events(
            "process_instance",
            run.pk,
            ((at, activity, actor, payload, links) for at, activity, actor, payload in run.chain),
        )
