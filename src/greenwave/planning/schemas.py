"""Input and output shapes of the planning API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class FactOut(Schema):
    id: int
    kind: str
    subject: str
    result: str


class ItemOut(Schema):
    id: int
    company_id: int | None
    company: str | None
    goal: str
    priority: str
    source: str
    activity_id: int | None
    deal_id: int | None
    result: str
    done: bool
    fact: list[FactOut]
    miss_comment: str


class DayOut(Schema):
    id: int | None
    user_id: int
    user: str
    date: dt.date
    status: str
    closed_at: dt.datetime | None
    comment: str
    planned: int
    done: int
    unplanned: int
    items: list[ItemOut]


class SuggestionOut(Schema):
    source: str
    goal: str
    priority: str
    company_id: int | None
    activity_id: int | None
    deal_id: int | None


class MyDayOut(Schema):
    day: DayOut
    suggestions: list[SuggestionOut]


class ItemIn(Schema):
    goal: str = Field(..., max_length=500)
    company_id: int | None = None
    priority: str = "normal"
    source: str = "manual"
    activity_id: int | None = None
    deal_id: int | None = None
    date: dt.date | None = None


class CloseIn(Schema):
    date: dt.date | None = None
    miss_comments: dict[str, str] = {}
    comment: str = ""
