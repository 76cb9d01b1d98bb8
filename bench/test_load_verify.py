"""The load test's check of the database (`load_verify`), on records made by the services."""

from __future__ import annotations

from collections import Counter

import pytest
from load_verify import DealRow, Observed, Snapshot, collect, problems

from greenwave.accounts import services as accounts
from greenwave.core.models import Event
from greenwave.sales import services
from greenwave.sales.models import Deal, Pipeline

MARK = "Нагрузка t1"
PASSWORD = "correct-horse-battery-staple"  # noqa: S105 (a test user's)


@pytest.fixture
def moved(db: object) -> tuple[Deal, Deal, int]:
    """Two deals created as the load test creates them; the first moved twice."""
    team = accounts.team_create(actor=None, name="Team A")
    head = accounts.user_create(
        actor=None, username="head", password=PASSWORD, roles=["head_of_sales"], team=team
    )
    pipeline = Pipeline.objects.get(code="b2b")
    stages = {s.code: s for s in pipeline.stages.all()}
    before = Deal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    one = services.deal_create(actor=head, title=f"{MARK} 0-1", pipeline=pipeline)
    two = services.deal_create(actor=head, title=f"{MARK} 0-2", pipeline=pipeline)
    for version, code in ((1, "needs"), (2, "qualification")):
        one = services.deal_move(
            actor=head, deal=one, stage=stages[code], expected_version=version, override_comment="t"
        )
    return one, two, before


def check(deals: tuple[Deal, Deal, int], observed: Observed) -> list[str]:
    one, two, before = deals
    ids = {one.pk, two.pk}
    snapshot = collect(deal_ids=ids, marker=MARK, created_after=before, task_ids=set())
    return problems(snapshot, observed, seeded=set())


def test_answers_that_match_the_database_find_nothing(moved) -> None:
    one, two, _ = moved
    assert check(moved, Observed(created=[one.pk, two.pk], moves_ok={one.pk: 2})) == []


def test_a_move_answered_200_without_its_version_and_event_is_a_lost_update(moved) -> None:
    one, two, _ = moved
    found = check(moved, Observed(created=[one.pk, two.pk], moves_ok={one.pk: 3}))
    assert found == [
        f"deal {one.pk}: version 3, 2 stage events, 3 moves answered 200 "
        "(expected version - 1 = events = moves)"
    ]


def test_a_version_raised_without_an_event_is_found(moved) -> None:
    one, two, _ = moved
    Deal.objects.filter(pk=one.pk).update(version=4)
    found = check(moved, Observed(created=[one.pk, two.pk], moves_ok={one.pk: 2}))
    assert len(found) == 1
    assert "version 4, 2 stage events" in found[0]


def test_a_duplicated_event_breaks_the_chains(moved) -> None:
    one, two, _ = moved
    last = Event.objects.filter(case_type="deal", case_id=str(one.pk)).latest("timestamp", "id")
    last.pk = None
    last.save()
    found = check(moved, Observed(created=[one.pk, two.pk], moves_ok={one.pk: 2}))
    assert any("3 stage events" in f for f in found)
    assert any("starts at" in f for f in found)  # the copy starts where it ended
    assert any("as its previous event" in f for f in found)


def test_unanswered_and_missing_creations_are_found(moved) -> None:
    one, two, _ = moved
    found = check(moved, Observed(created=[one.pk, 999_999], moves_ok={one.pk: 2}))
    assert f"deal {two.pk}: in the database but no client was answered 201 for it" in found
    assert "deal 999999: answered 201 but not in the database" in found
    Event.objects.filter(case_type="deal", case_id=str(two.pk)).delete()
    found = check(moved, Observed(created=[one.pk, two.pk], moves_ok={one.pk: 2}))
    assert found == [f"deal {two.pk}: 0 deal_created events"]


def test_tasks_completed_once_each_and_only_when_answered() -> None:
    snapshot = Snapshot(
        deals={},
        marked=set(),
        task_status={1: "completed", 2: "completed", 3: "open", 4: "completed"},
        task_events=Counter({1: 1, 2: 2, 4: 1}),
    )
    found = problems(snapshot, Observed(completed=[1, 2, 3]), seeded=set())
    assert found == [
        "task 3: answered 200 but its status is open",
        "task 2: 2 completion events",
        "task 4: completed in the database but no client was answered 200",
    ]


def test_a_deal_row_without_events_reports_each_gap() -> None:
    deal = DealRow(pk=7, version=1, stage_id=1)
    found = problems(Snapshot({7: deal}, set(), {}, Counter()), Observed(created=[7]), seeded=set())
    assert found == ["deal 7: 0 deal_created events"]
