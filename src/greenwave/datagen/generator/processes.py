"""Contract approval process instances, their tasks and the engine's saved state."""

from __future__ import annotations

import math
import uuid
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
    _Batch,
    _GeneratorBase,
    _Users,
)


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
        lawyers, finance = users.by_role["lawyer"], users.by_role["finance"]
        # Who does each step of each round, and how long it waits (drawn up front so the
        # whole run can be fitted into the stage's stay).
        steps: list[tuple[str, int, float, bool]] = []  # element, person, hours, approved
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
                break
            reworks += 1
            hours = rng.lognormvariate(math.log(APPROVAL_STEP_HOURS["rework"]), 0.5)
            steps.append(("rework", owner, hours, True))
        if not running:
            self._deviate(steps)
        started = drafted + timedelta(minutes=rng.uniform(5, 90))
        room = (leave - started).total_seconds() / 3600 * 0.9
        total = sum(h for _e, _p, h, _a in steps)
        scale = min(1.0, room / total) if total > 0 and not running else 1.0
        if started >= leave:
            return None

        pk = self._id("bpm.processinstance")
        case = str(pk)
        links = (
            ("deal", str(deal), "subject"),
            ("process_definition", str(process.definition_id), "definition"),
        )
        chain: list[tuple[datetime, str, int | None, dict[str, Any]]] = []
        clock = [started]

        def event(activity: str, actor: int | None, payload: dict[str, Any]) -> datetime:
            # One step's events share a transaction: a few milliseconds apart.
            clock[0] += timedelta(milliseconds=rng.randint(1, 4))
            chain.append((clock[0], activity, actor, payload))
            return clock[0]

        def moved(element: str, actor: int) -> None:
            name, kind = process.elements[element]
            event("process_token_moved", actor, {"element": element, "name": name, "kind": kind})

        tasks: list[dict[str, Any]] = []
        variables: dict[str, Any] = {"initiator": users.username[owner]}
        # A running instance's tasks are the engine's tasks in its state (straight path).
        engine_ids = process.waiting["review_finance"][2] if running else ()

        def create(element: str, actor: int, step: int) -> dict[str, Any]:
            name, form, due_in, role = process.user_tasks[element]
            assignee = None if role else owner
            task_pk = self._id("bpm.humantask")
            at = event(
                "process_task_created",
                actor,
                {
                    "task": task_pk,
                    "element": element,
                    "name": name,
                    "assignee": users.username[owner] if assignee else None,
                    "candidate_role": role,
                },
            )
            task = {
                "id": task_pk,
                "created_at": at,
                "instance_id": pk,
                "engine_task_id": engine_ids[step]
                if running
                else str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "element_id": element,
                "name": name,
                "status": "completed",
                "assignee_id": assignee,
                "candidate_role": role,
                "candidate_team_id": None,
                "team_id": team,
                "form_schema": form,
                "due_at": at + due_in if due_in else None,
                "escalated_at": None,
            }
            tasks.append(task)
            return task

        event(
            "process_started",
            owner,
            {"definition": process.key, "version": process.version},
        )
        moved("start", owner)
        task = create(steps[0][0], owner, 0)
        open_step: int | None = None
        for k, (element, person, hours, approved) in enumerate(steps):
            done_at = task["created_at"] + timedelta(hours=hours * scale)
            if running and done_at >= leave:
                open_step, done_at = k, leave  # not done yet: overdue by the end, maybe
            due = task["due_at"]
            if due is not None and due < done_at:
                # The periodic job escalates the overdue task to the head of its team.
                escalated = due + timedelta(seconds=rng.randint(5, 300))
                if escalated < done_at:
                    clock[0] = escalated
                    event(
                        "process_task_overdue",
                        None,
                        {
                            "task": task["id"],
                            "element": element,
                            "name": task["name"],
                            "assignee": users.username[owner] if task["assignee_id"] else None,
                            "candidate_role": task["candidate_role"],
                            "escalated_to": users.username[head],
                            "due_at": due.isoformat(),
                        },
                    )
                    task["escalated_at"] = escalated
            if open_step is not None:
                task.update(status="open", updated_at=task["escalated_at"] or task["created_at"])
                break
            if element == "rework":
                data: dict[str, Any] = {"changes": rng.choice(APPROVAL_REWORK_CHANGES)}
            else:
                comment = "" if approved else rng.choice(APPROVAL_REWORK_COMMENTS)
                data = {"decision": "approve" if approved else "rework", "comment": comment}
            variables.update(data)
            clock[0] = done_at
            if task["assignee_id"] is None:
                task.update(assignee_id=person, claimed_by_id=person, claimed_at=done_at)
            task.update(
                completed_by_id=person, completed_at=done_at, updated_at=done_at, result=data
            )
            event(
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
                moved(_REVIEW_GATEWAYS[element], person)
            if k + 1 < len(steps):
                task = create(steps[k + 1][0], person, k + 1)
        ended: datetime | None = None
        if open_step is None:
            last = steps[-1][1]
            variables["notified"] = True
            moved("notify", last)
            moved("end", last)
            # The outcome is what a deal's gate reads (bpm.services writes it the same way).
            ended = event(
                "process_completed", last, {"definition": APPROVAL_PROCESS, "outcome": "approved"}
            )
            # The last round passes every element (not the rejected end); rework is there only
            # if it was done.
            element_states = {
                e: "done"
                for e in process.elements
                if e != "end_rejected" and (e != "rework" or reworks)
            }
            state = ""
        else:
            template, element_states, _ids = process.waiting[steps[open_step][0]]
            state = template.replace(INITIATOR_PLACEHOLDER, users.username[owner])
        batch.instances.append(
            {
                "id": pk,
                "created_at": started,
                "updated_at": ended or chain[-1][0],
                "definition_id": process.definition_id,
                "status": "completed" if ended else "running",
                "state": state,
                "serializer_version": process.serializer_version,
                "lock_version": 1 + (len(steps) if open_step is None else open_step),
                "variables": variables,
                "element_states": element_states,
                "business_key": f"deal:{deal}",
                "object_type": "deal",
                "object_id": str(deal),
                "responsible_id": owner,
                "team_id": team,
                "ended_at": ended,
            }
        )
        batch.tasks.extend(tasks)
        prev_activity, prev_ts = "", None
        for at, activity, actor, payload in chain:
            batch.events.append(
                {
                    "id": 0,
                    "case_type": "process_instance",
                    "case_id": case,
                    "activity": activity,
                    "timestamp": at,
                    "actor_id": actor,
                    "payload": payload,
                    "prev_activity": prev_activity,
                    "prev_timestamp": prev_ts,
                    "_links": links,
                }
            )
            prev_activity, prev_ts = activity, at
        if ended is None:
            return None
        lawyer = next(p for e, p, _h, a in reversed(steps) if e == "review_lawyer")
        return ended, lawyer
