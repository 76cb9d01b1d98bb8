"""Calls, meetings and reminders of the managers around companies and deals."""

from __future__ import annotations

from dataclasses import dataclass
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

# The call a follow-up continues: its id, when the follow-up was planned, its subject.
_FollowUp = tuple[int, datetime, str]
# One event of an activity's chain: when, the activity name, the payload.
_Step = tuple[datetime, str, dict[str, Any]]


@dataclass(frozen=True)
class Around:
    """Whom and what a manager's activities are about: the owner, the client, its contact and
    the deal (None: the client itself)."""

    owner: int
    company: int
    contact: int
    deal: int | None


@dataclass(frozen=True)
class _Series:
    """The activities of one deal (or client): their window, moments and linked objects."""

    around: Around
    team: int
    objects: tuple[tuple[str, str, str], ...]
    start: datetime
    end: datetime
    moments: list[datetime]
    open_at_end: bool


@dataclass
class _Draft:
    """One activity as drawn: its id, kind, subject, duration and moments."""

    pk: int
    kind: str
    subject: str
    minutes: int
    due: datetime
    done_at: datetime | None
    planned_at: datetime | None


def _links(around: Around) -> tuple[tuple[str, str, str], ...]:
    links: list[tuple[str, str, str]] = [("company", str(around.company), "client")]
    if around.contact:
        links.append(("contact", str(around.contact), "contact"))
    if around.deal:
        links.append(("deal", str(around.deal), "deal"))
    links.append(("user", str(around.owner), "responsible"))
    return tuple(sorted(links))


class ActivitiesMixin(_GeneratorBase):
    def _activities(
        self,
        batch: _Batch,
        users: _Users,
        around: Around,
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
        series = _Series(
            around=around,
            team=users.team_of[around.owner],
            objects=_links(around),
            start=start,
            end=end,
            moments=moments,
            open_at_end=open_at_end,
        )
        follow_up: _FollowUp | None = None
        for k in range(len(moments)):
            follow_up = self._activity(batch, series, k, follow_up)

    def _activity(
        self, batch: _Batch, series: _Series, k: int, follow_up: _FollowUp | None
    ) -> _FollowUp | None:
        """The `k`-th activity of the series; answers the follow-up call it asks for."""
        draft = self._activity_draft(series, k, follow_up)
        row = self._activity_row(series, draft, follow_up)
        base = {
            "kind": draft.kind,
            "subject": draft.subject,
            "status": "planned",
            "responsible_id": series.around.owner,
            "due_at": draft.due.isoformat(),
        }
        chain: list[_Step] = []
        if draft.planned_at is not None:
            chain.append(self._activity_planning(batch, series, draft, base, follow_up))
        next_call: _FollowUp | None = None
        if draft.done_at is None:
            row.update(status="planned", created_at=draft.planned_at, updated_at=draft.planned_at)
        else:
            next_call = self._activity_completion(series, k, draft, row, base, chain)
        batch.activities.append(row)
        self._activity_events(batch, series, draft.pk, chain)
        return next_call

    def _activity_draft(self, series: _Series, k: int, follow_up: _FollowUp | None) -> _Draft:
        """Kind, subject, duration and the moments (due, done, planned) of one activity."""
        rng = self.rng
        end = series.end
        due = series.moments[k]
        pending = series.open_at_end and k == len(series.moments) - 1
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
            planned_at = max(series.start, due - timedelta(hours=rng.uniform(2, 96)))
            planned_at = min(planned_at, end, done_at or end)
            if done_at is not None and planned_at >= done_at:
                planned_at = done_at - timedelta(seconds=1)
        return _Draft(pk, kind, subject, minutes, due, done_at, planned_at)

    def _activity_row(
        self, series: _Series, draft: _Draft, follow_up: _FollowUp | None
    ) -> dict[str, Any]:
        around = series.around
        row: dict[str, Any] = {
            "id": draft.pk,
            "kind": draft.kind,
            "subject": draft.subject,
            "due_at": draft.due,
            "priority": "normal",
            "responsible_id": around.owner,
            "team_id": series.team,
            "author_id": around.owner,
            "company_id": around.company,
            "contact_id": around.contact or None,
            "lead_id": None,
            "deal_id": around.deal,
            "direction": "",
            "call_result": "",
            "next_call_at": None,
            "place": "",
            "participants": "",
            "outcome": "",
            "checklist": [],
            "follow_up_of_id": follow_up[0] if follow_up else None,
        }
        if draft.kind == "call":
            incoming = follow_up is None and self.rng.random() < 0.15
            row["direction"] = "incoming" if incoming else "outgoing"
        else:
            row["place"] = self.rng.choice(MEETING_PLACES)
        return row

    def _activity_planning(
        self,
        batch: _Batch,
        series: _Series,
        draft: _Draft,
        base: dict[str, Any],
        follow_up: _FollowUp | None,
    ) -> _Step:
        """The `activity_planned` step and the reminder at the due time (sent by the job once
        the moment has passed)."""
        assert draft.planned_at is not None
        planned = dict(base)
        if follow_up is not None:
            planned["follow_up_of"] = follow_up[0]
        sent = draft.due + timedelta(seconds=self.rng.randint(5, 90))
        batch.reminders.append(
            {
                "id": self._id("activities.reminder"),
                "created_at": draft.planned_at,
                "updated_at": draft.planned_at,
                "activity_id": draft.pk,
                "user_id": series.around.owner,
                "remind_at": draft.due,
                "sent_at": sent if sent < (draft.done_at or series.end) else None,
            }
        )
        return (draft.planned_at, "activity_planned", planned)

    def _activity_completion(
        self,
        series: _Series,
        k: int,
        draft: _Draft,
        row: dict[str, Any],
        base: dict[str, Any],
        chain: list[_Step],
    ) -> _FollowUp | None:
        """A done activity: its result (a call may ask for a follow-up, answered) or outcome."""
        rng = self.rng
        done_at = draft.done_at
        assert done_at is not None
        follow_up: _FollowUp | None = None
        completed = {**base, "status": "done", "duration_minutes": draft.minutes}
        if draft.kind == "call":
            moments = series.moments
            wants_next = (
                k < len(moments) - 1
                and moments[k + 1] > done_at + timedelta(hours=1)
                and rng.random() < 0.4
            )
            result = rng.choice(CALL_RESULTS_NEXT if wants_next else CALL_RESULTS_CLOSING)
            completed["result"] = result
            row["call_result"] = result
            if wants_next:
                row["next_call_at"] = moments[k + 1]
                follow_up = (
                    draft.pk,
                    done_at + timedelta(milliseconds=rng.randint(1, 5)),
                    draft.subject,
                )
        else:
            outcome = rng.choice(MEETING_OUTCOMES)
            completed["outcome"] = outcome
            row["outcome"] = outcome
        row.update(
            status="done",
            duration_minutes=draft.minutes,
            completed_at=done_at,
            created_at=draft.planned_at or done_at,
            updated_at=done_at,
        )
        chain.append((done_at, f"{draft.kind}_completed", completed))
        return follow_up

    def _activity_events(self, batch: _Batch, series: _Series, pk: int, chain: list[_Step]) -> None:
        owner, links = series.around.owner, series.objects
        batch.case_events(
            "activity",
            pk,
            ((at, activity, owner, payload, links) for at, activity, payload in chain),
        )
