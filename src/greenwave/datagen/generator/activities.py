"""Calls, meetings and reminders of the managers around companies and deals."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from greenwave.datagen.generator.base import (
    CALL_RESULTS_CLOSING,
    CALL_RESULTS_NEXT,
    CALL_SUBJECTS,
    MEETING_OUTCOMES,
    MEETING_PLACES,
    MEETING_SUBJECTS,
    _Batch,
    _GeneratorBase,
    _Users,
)


class ActivitiesMixin(_GeneratorBase):
    def _activities(
        self,
        batch: _Batch,
        users: _Users,
        owner: int,
        company: int,
        contact: int,
        deal: int | None,
        start: datetime,
        end: datetime,
        *,
        open_at_end: bool,
        count: int | None = None,
    ) -> None:
        """Calls and meetings of one deal (or client) between `start` and `end`, written as
        `activities.services` writes them: recorded after the fact (`activity_create` with
        done) or planned first and completed later (`activity_planned`, then
        `call_completed`/`meeting_completed`); a call whose result asks for a next call plans
        the follow-up. With `open_at_end` the last one is still planned (My day)."""
        rng = self.rng
        if count is None:
            count = rng.choice((1, 2, 2, 3, 3, 4))
        window = (end - start).total_seconds()
        if window < 7200:
            return
        moments = sorted(
            start + timedelta(seconds=rng.uniform(3600, window - 3600)) for _ in range(count)
        )
        team = users.team_of[owner]
        links: list[tuple[str, str, str]] = [("company", str(company), "client")]
        if contact:
            links.append(("contact", str(contact), "contact"))
        if deal:
            links.append(("deal", str(deal), "deal"))
        links.append(("user", str(owner), "responsible"))
        objects = tuple(sorted(links))
        follow_up: tuple[int, datetime, str] | None = None  # the call it follows, when, subject
        last = len(moments) - 1
        for k in range(len(moments)):
            due = moments[k]
            pending = open_at_end and k == last
            kind = "call" if follow_up is not None or rng.random() < 0.7 else "meeting"
            pk = self._id("activities.activity")
            subject = rng.choice(CALL_SUBJECTS if kind == "call" else MEETING_SUBJECTS)
            if follow_up is not None:
                subject = follow_up[2]  # the follow-up call keeps the subject
            minutes = rng.randint(2, 20) if kind == "call" else rng.randint(30, 120)
            done_at: datetime | None = None
            if pending and follow_up is None:
                # Still planned: due around the end (some overdue, some in the days ahead).
                due = end + timedelta(hours=rng.uniform(-72, 120))
            elif not pending:
                done_at = due + timedelta(minutes=minutes + rng.uniform(0, 30))
                if done_at > end:
                    done_at = end - timedelta(seconds=rng.uniform(1, 600))
                    due = min(due, done_at)
            planned_at: datetime | None = None  # None: recorded after it happened
            if follow_up is not None:
                planned_at = follow_up[1]
            elif pending or rng.random() < 0.5:
                planned_at = max(start, due - timedelta(hours=rng.uniform(2, 96)))
                planned_at = min(planned_at, end, done_at or end)
                if done_at is not None and planned_at >= done_at:
                    planned_at = done_at - timedelta(seconds=1)
            row: dict[str, Any] = {
                "id": pk,
                "kind": kind,
                "subject": subject,
                "due_at": due,
                "priority": "normal",
                "responsible_id": owner,
                "team_id": team,
                "author_id": owner,
                "company_id": company,
                "contact_id": contact or None,
                "lead_id": None,
                "deal_id": deal,
                "direction": "",
                "call_result": "",
                "next_call_at": None,
                "place": "",
                "participants": "",
                "outcome": "",
                "checklist": [],
                "follow_up_of_id": follow_up[0] if follow_up else None,
            }
            if kind == "call":
                incoming = follow_up is None and rng.random() < 0.15
                row["direction"] = "incoming" if incoming else "outgoing"
            else:
                row["place"] = rng.choice(MEETING_PLACES)
            base = {
                "kind": kind,
                "subject": subject,
                "status": "planned",
                "responsible_id": owner,
                "due_at": due.isoformat(),
            }
            chain: list[tuple[datetime, str, dict[str, Any]]] = []
            if planned_at is not None:
                planned = dict(base)
                if follow_up is not None:
                    planned["follow_up_of"] = follow_up[0]
                chain.append((planned_at, "activity_planned", planned))
                # The reminder at the due time: sent by the job once the moment has passed.
                sent = due + timedelta(seconds=rng.randint(5, 90))
                batch.reminders.append(
                    {
                        "id": self._id("activities.reminder"),
                        "created_at": planned_at,
                        "updated_at": planned_at,
                        "activity_id": pk,
                        "user_id": owner,
                        "remind_at": due,
                        "sent_at": sent if sent < (done_at or end) else None,
                    }
                )
            follow_up = None
            if done_at is None:
                row.update(status="planned", created_at=planned_at, updated_at=planned_at)
            else:
                completed = {**base, "status": "done", "duration_minutes": minutes}
                if kind == "call":
                    wants_next = (
                        k < last
                        and moments[k + 1] > done_at + timedelta(hours=1)
                        and rng.random() < 0.4
                    )
                    result = rng.choice(CALL_RESULTS_NEXT if wants_next else CALL_RESULTS_CLOSING)
                    completed["result"] = result
                    row["call_result"] = result
                    if wants_next:
                        row["next_call_at"] = moments[k + 1]
                        follow_up = (
                            pk,
                            done_at + timedelta(milliseconds=rng.randint(1, 5)),
                            subject,
                        )
                else:
                    outcome = rng.choice(MEETING_OUTCOMES)
                    completed["outcome"] = outcome
                    row["outcome"] = outcome
                row.update(
                    status="done",
                    duration_minutes=minutes,
                    completed_at=done_at,
                    created_at=planned_at or done_at,
                    updated_at=done_at,
                )
                chain.append((done_at, f"{kind}_completed", completed))
            batch.activities.append(row)
            prev_activity, prev_ts = "", None
            for at, activity, payload in chain:
                batch.events.append(
                    {
                        "id": 0,
                        "case_type": "activity",
                        "case_id": str(pk),
                        "activity": activity,
                        "timestamp": at,
                        "actor_id": owner,
                        "payload": payload,
                        "prev_activity": prev_activity,
                        "prev_timestamp": prev_ts,
                        "_links": objects,
                    }
                )
                prev_activity, prev_ts = activity, at
