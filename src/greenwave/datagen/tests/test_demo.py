"""`seed_demo` builds the demo company from the generator: every role has work to open."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.activities.models import Activity
from greenwave.bpm.models import InstanceStatus, ProcessInstance
from greenwave.bpm.selectors import holdups, task_list_mine
from greenwave.core.listing import ListQuery
from greenwave.core.models import Event
from greenwave.datagen import demo
from greenwave.documents.models import Document, DocumentStatus
from greenwave.documents.services import approval_state
from greenwave.planning.demo import DAY_PLANNERS
from greenwave.planning.models import DayPlan
from greenwave.sales import events as sales_events
from greenwave.sales.demo import CLOSER_HANDOFF_COMMENT
from greenwave.sales.gates import process_outcome
from greenwave.sales.models import CloserHandoff, Deal, Pipeline
from greenwave.sales.periods import period_over_period
from greenwave.sales.selectors import deal_board, home_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-test-pass")
    call_command("seed_demo", "--deals", "150", stdout=StringIO())


def _user(login: str) -> User:
    return User.objects.get(username=login)


def test_a_small_demo_has_work_on_every_page_of_the_head_and_the_managers(
    small_demo: None,
) -> None:
    director = _user("director")
    assert Deal.objects.count() == 150
    card = home_summary(director)
    assert card is not None
    assert card["open_deals"] > 0

    board = deal_board(actor=director, pipeline=Pipeline.objects.get(code="b2b"), query=ListQuery())
    assert 0 < board.count <= demo.DEMO_OPEN_DEALS
    assert len([c for c in board.columns if c.count]) >= 3

    today = timezone.localdate()
    current, previous, year_ago = period_over_period(
        actor=director, date_from=today - timedelta(days=89), date_to=today
    )
    for figures in (current, previous, year_ago):
        assert figures.created > 0
        assert figures.won > 0

    lawyer = _user("lawyer")
    open_reviews = task_list_mine(actor=lawyer).filter(
        element_id="review_lawyer", instance__status=InstanceStatus.RUNNING
    )
    assert open_reviews.exists()
    ranking = holdups(actor=director, definition_key="contract_approval")["per_person"]
    assert ranking[0]["completed_by__username"] == demo.DEMO_SLOW_APPROVER

    _contracts_follow_their_approvals()

    for login in DAY_PLANNERS:
        plan = DayPlan.objects.get(user__username=login, date=today)
        assert plan.items.exists(), login
        planned = Activity.objects.filter(responsible__username=login, status="planned")
        assert planned.exists(), login


def _contracts_follow_their_approvals() -> None:
    """A demo contract whose deal's contract approval ended approved is approved itself (it
    can be sent); one whose approval runs is on approval — not a draft beside them."""
    contracts = list(Document.objects.filter(kind="contract").select_related("deal"))
    assert contracts
    for contract in contracts:
        outcome = process_outcome(contract.deal, "contract_approval")
        running = ProcessInstance.objects.filter(
            definition__key="contract_approval",
            object_type="deal",
            object_id=str(contract.deal_id),
            status=InstanceStatus.RUNNING,
        ).exists()
        expected = {"approved": DocumentStatus.APPROVED, "rejected": DocumentStatus.REJECTED}
        if running:
            assert contract.status == DocumentStatus.ON_APPROVAL, contract.number
        elif outcome in expected:
            assert contract.status == expected[outcome], contract.number
            assert approval_state(contract) == expected[outcome]
        else:
            assert contract.status == DocumentStatus.DRAFT, contract.number
    # Every running contract approval reviews a contract: the lawyer's task read «no document
    # is attached to the deal» for the runs of deals the seeder gave none.
    reviewed = {str(c.deal_id) for c in contracts}
    running_deals = ProcessInstance.objects.filter(
        definition__key="contract_approval", object_type="deal", status=InstanceStatus.RUNNING
    ).values_list("object_id", flat=True)
    assert set(running_deals) <= reviewed


def test_the_demo_is_built_once(small_demo: None) -> None:
    deals, plans = Deal.objects.count(), DayPlan.objects.count()
    call_command("seed_demo", "--deals", "150", stdout=StringIO())
    assert (Deal.objects.count(), DayPlan.objects.count()) == (deals, plans)


def test_deals_must_be_positive() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo", "--deals", "0", stdout=StringIO())


def test_every_running_contract_approval_of_the_demo_reviews_a_contract(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The seeder drafted contracts for the first deals past «Договор» by id, so in the whole
    demo a running approval's lawyer read «no document is attached to the deal»: the deals
    whose approval runs get theirs first, whatever the number of other contracts."""
    from greenwave.documents import demo as documents_demo

    monkeypatch.setattr(documents_demo, "CONTRACT_DEALS", 0)
    monkeypatch.setenv("DEMO_PASSWORD", "demo-test-pass")
    call_command("seed_demo", "--deals", "150", stdout=StringIO())
    running = ProcessInstance.objects.filter(
        definition__key="contract_approval", object_type="deal", status=InstanceStatus.RUNNING
    )
    assert running.exists()
    _contracts_follow_their_approvals()


def test_the_hunter_has_handed_a_deal_to_the_closer_with_a_comment(small_demo: None) -> None:
    handoff = CloserHandoff.objects.select_related("deal").get()
    assert (handoff.hunter, handoff.closer, handoff.handed_by) == (
        _user("hunter"),
        _user("closer"),
        _user("hunter"),
    )
    assert handoff.comment == CLOSER_HANDOFF_COMMENT
    assert handoff.deal.responsible == _user("closer")
    assert Event.objects.filter(
        case_type="deal", case_id=handoff.deal.pk, activity=sales_events.DEAL_HANDED_TO_CLOSER
    ).exists()
    call_command("seed_demo", "--deals", "150", stdout=StringIO())
    assert CloserHandoff.objects.count() == 1
