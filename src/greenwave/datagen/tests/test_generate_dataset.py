"""The generator: planted facts found by Greenwave's own analytics, determinism, valid data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from itertools import pairwise
from statistics import median

import pytest
from django.core.management import call_command
from django.db.models import Count
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from greenwave.accounts.models import User
from greenwave.activities.models import Activity, Reminder
from greenwave.activities.selectors import open_activities_of
from greenwave.bpm import services as bpm_services
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessInstance
from greenwave.bpm.selectors import holdups, instance_list, tasks_of_instance
from greenwave.core.models import Event
from greenwave.crm.models import Company, Contact, Price, PriceList, Product
from greenwave.datagen import generator
from greenwave.datagen.generator import Config, CountingSink, Generator
from greenwave.datagen.generator.leads import PROBABILITY_RANGES
from greenwave.datagen.loader import dataset_record, generate_into_database, reference
from greenwave.datagen.names import REGION_CITIES, brand
from greenwave.datagen.requisites import REGIONS
from greenwave.sales.funnel import funnel
from greenwave.sales.models import (
    ClientHandoff,
    Deal,
    Lead,
    LeadCategory,
    LeadRating,
    LeadStatus,
    Pipeline,
)
from greenwave.sales.selectors import abandoned_by_manager

END = datetime(2026, 6, 1, tzinfo=UTC)
SLOW = generator.SLOW_APPROVER


@pytest.fixture
def dataset(db: None) -> dict[str, int]:
    result, _seconds = generate_into_database(Config(deals=400, seed=5, chunk=250))
    return result.counts


def _admin() -> User:
    return User.objects.get(username="gen_admin_01")


def _chained_log(case_type: str, case_id: int) -> list[Event]:
    """The case's events in order, asserted to form a chain: each names the one before it."""
    events = list(
        Event.objects.filter(case_type=case_type, case_id=str(case_id)).order_by("timestamp", "id")
    )
    for before, after in pairwise(events):
        assert after.prev_activity == before.activity
        assert after.prev_timestamp == before.timestamp
    return events


def test_funnel_finds_the_planted_bottleneck(dataset: dict[str, int]) -> None:
    rows = funnel(actor=_admin(), pipeline=Pipeline.objects.get(code="b2b"))
    codes = {s.pk: s.code for s in Pipeline.objects.get(code="b2b").stages.all()}
    slowest = max(rows, key=lambda r: r.median_days or 0)
    most_stuck = max(rows, key=lambda r: r.stuck)
    assert codes[slowest.stage_id] == generator.BOTTLENECK_STAGE
    assert codes[most_stuck.stage_id] == generator.BOTTLENECK_STAGE
    others = [r.median_days or 0 for r in rows if r is not slowest]
    assert (slowest.median_days or 0) > 2 * max(others)


def test_losses_at_the_planted_stage_have_the_planted_reason(dataset: dict[str, int]) -> None:
    lost = Deal.objects.filter(status="lost", stage__code=generator.SKEWED_LOSS_STAGE)
    top = lost.values("lost_reason__name").annotate(n=Count("pk")).order_by("-n").first()
    assert top is not None
    assert top["lost_reason__name"] == generator.SKEWED_LOSS_REASON
    assert top["n"] > lost.count() / 2


def test_the_overloaded_manager_has_the_most_abandoned_clients(dataset: dict[str, int]) -> None:
    ranking = abandoned_by_manager(actor=_admin())
    assert ranking[0]["manager"].username == generator.OVERLOADED_MANAGER
    assert ranking[0]["count"] > 2 * ranking[1]["count"]


def test_who_holds_up_whom_finds_the_planted_slow_lawyer(dataset: dict[str, int]) -> None:
    ranking = holdups(actor=_admin(), definition_key=generator.APPROVAL_PROCESS)["per_person"]
    assert ranking[0]["completed_by__username"] == generator.SLOW_APPROVER
    lawyers = HumanTask.objects.filter(element_id="review_lawyer", status="completed")
    slow, others = [], []
    for task in lawyers.select_related("completed_by"):
        assert task.completed_at is not None
        wait = (task.completed_at - task.created_at).total_seconds()
        mine = task.completed_by is not None and task.completed_by.username == SLOW
        (slow if mine else others).append(wait)
    assert slow
    assert others
    assert median(slow) > 3 * median(others)


def test_deals_past_the_contract_stage_have_a_completed_approval(
    dataset: dict[str, int],
) -> None:
    passed = set(
        Event.objects.filter(
            case_type="deal",
            activity="deal_stage_changed",
            payload__from_stage=Pipeline.objects.get(code="b2b").stages.get(code="contract").pk,
            payload__direction="forward",
        ).values_list("case_id", flat=True)
    )
    instances = ProcessInstance.objects.filter(definition__key=generator.APPROVAL_PROCESS)
    assert passed
    running = instances.filter(status=InstanceStatus.RUNNING)
    in_contract = Deal.objects.filter(status="open", stage__code="contract")
    assert set(running.values_list("object_id", flat=True)) <= {
        str(pk) for pk in in_contract.values_list("pk", flat=True)
    }
    assert passed <= set(instances.values_list("object_id", flat=True))
    assert instances.count() == len(set(instances.values_list("object_id", flat=True)))
    assert instance_list(actor=_admin()).count() == instances.count()
    reworked = (
        HumanTask.objects.filter(element_id="rework").values_list("instance_id", flat=True).first()
    )
    assert reworked is not None
    instance = ProcessInstance.objects.get(pk=reworked)
    tasks = list(tasks_of_instance(instance=instance))
    assert [t.element_id for t in tasks][-3:] == ["review_head", "review_lawyer", "review_finance"]
    assert all(t.completed_by_id and t.completed_at and t.assignee_id for t in tasks)
    events = _chained_log("process_instance", instance.pk)
    assert events[0].activity == "process_started"
    assert events[-1].activity == "process_completed"
    completed = [e for e in events if e.activity == "process_task_completed"]
    assert [e.payload["task"] for e in completed] == [t.pk for t in tasks]
    assert completed[0].payload["waited_seconds"] == int(
        (tasks[0].completed_at - tasks[0].created_at).total_seconds()  # type: ignore[operator]
    )
    links = {(o.object_type, o.object_id, o.qualifier) for o in events[0].links.all()}
    assert links == {
        ("deal", instance.object_id, "subject"),
        ("process_definition", str(instance.definition_id), "definition"),
    }
    assert instance.element_states["rework"] == "done"
    assert instance.lock_version == 1 + len(tasks)


def test_rows_in_the_database_match_the_counts_and_the_record(dataset: dict[str, int]) -> None:
    assert Deal.objects.count() == dataset["sales.deal"] == 400
    generated = Event.objects.exclude(case_type__in=["dataset", "process_definition"])
    assert generated.count() == dataset["core.event"]
    assert ProcessInstance.objects.count() == dataset["bpm.processinstance"]
    assert HumanTask.objects.count() == dataset["bpm.humantask"]
    record = dataset_record(deals=400, seed=5, events_per_deal=None)
    assert record is not None
    assert record.payload["counts"] == dataset
    assert record.payload["generator"] == generator.GENERATOR_VERSION


def test_a_record_of_an_older_generator_is_not_reused(dataset: dict[str, int]) -> None:
    record = dataset_record(deals=400, seed=5, events_per_deal=None)
    assert record is not None
    record.payload["generator"] = generator.GENERATOR_VERSION - 1
    record.save()
    assert dataset_record(deals=400, seed=5, events_per_deal=None) is None


def test_events_chain_like_event_append_writes_them(dataset: dict[str, int]) -> None:
    deal = Deal.objects.filter(status="won").order_by("pk").first()
    assert deal is not None
    events = _chained_log("deal", deal.pk)
    assert events[0].activity == "deal_created"
    assert events[0].prev_activity == ""
    assert events[-1].activity == "deal_won"
    moved = [e for e in events if e.activity == "deal_stage_changed"]
    assert {"from_stage", "to_stage", "direction", "seconds_in_stage"} <= set(moved[0].payload)
    links = {(o.object_type, o.qualifier) for o in events[0].links.all()}
    assert links == {("company", "client"), ("user", "responsible")}


def test_requisites_and_contacts_are_valid(dataset: dict[str, int]) -> None:
    inns = list(Company.objects.values_list("inn", flat=True))
    assert len(set(inns)) == len(inns)
    city_of = {city: code for code, cities in REGION_CITIES.items() for city in cities}
    region_of = {name: code for code, name in REGIONS}
    for name, region in Company.objects.values_list("name", "region"):
        town = brand(name).rpartition("-")[2]
        assert city_of.get(town, region_of.get(region)) == region_of.get(region), (name, region)
    for company in Company.objects.all()[:200]:
        stdnum_inn.validate(company.inn)
        stdnum_ogrn.validate(company.ogrn)
        assert company.kpp[:4] == company.inn[:4]
        assert len(company.kpp) == 9
    contact = Contact.objects.exclude(birthday=None).first()
    assert contact is not None
    assert contact.phones[0].startswith("+79")


def test_every_role_has_people(dataset: dict[str, int]) -> None:
    roles = set(
        User.objects.filter(username__startswith="gen_").values_list("roles__code", flat=True)
    )
    assert roles >= {
        "call_center",
        "hunter",
        "closer",
        "farmer",
        "kam",
        "head_of_sales",
        "lawyer",
        "finance",
        "accountant",
        "hr",
        "admin",
    }


@pytest.mark.django_db
def test_same_seed_same_rows_other_seed_other_rows() -> None:
    ref = reference()

    def run(seed: int) -> tuple[dict[str, int], str]:
        result = Generator(Config(deals=300, seed=seed, end=END), ref, CountingSink()).run()
        return result.counts, result.digest

    first, again, other = run(11), run(11), run(12)
    assert first == again
    assert other[1] != first[1]


@pytest.mark.django_db
def test_padding_reaches_the_asked_events_per_deal() -> None:
    result = Generator(
        Config(deals=200, seed=3, events_per_deal=12, end=END), reference(), CountingSink()
    ).run()
    deal_events = result.counts["core.event"]
    assert deal_events >= 200 * 12


@pytest.mark.django_db
def test_command_generates_and_refuses_a_second_generation() -> None:
    out = StringIO()
    call_command("generate_dataset", "--deals", "50", "--seed", "2", stdout=out)
    assert "generated in" in out.getvalue()
    assert Deal.objects.count() == 50
    with pytest.raises(Exception, match="already holds"):
        call_command("generate_dataset", "--deals", "50", "--seed", "2", stdout=StringIO())


def test_calls_and_meetings_are_written_as_the_activity_service_writes_them(
    dataset: dict[str, int],
) -> None:
    assert Activity.objects.count() == dataset["activities.activity"]
    assert Reminder.objects.count() == dataset["activities.reminder"]
    assert Activity.objects.filter(kind="meeting", status="done").exists()
    call = Activity.objects.filter(kind="call", status="done", deal__isnull=False).first()
    assert call is not None
    events = list(
        Event.objects.filter(case_type="activity", case_id=str(call.pk)).order_by("timestamp")
    )
    assert events[-1].activity == "call_completed"
    assert events[-1].payload["result"] == call.call_result
    assert events[-1].payload["status"] == "done"
    for before, after in pairwise(events):
        assert after.prev_activity == before.activity
    links = {(o.object_type, o.qualifier) for o in events[-1].links.all()}
    assert links == {
        ("company", "client"),
        ("contact", "contact"),
        ("deal", "deal"),
        ("user", "responsible"),
    }
    # A result that asks for a next call planned the follow-up for that moment.
    asked = Activity.objects.filter(call_result__in=generator.CALL_RESULTS_NEXT)
    assert asked.exists()
    for first in asked[:20]:
        follow_up = Activity.objects.get(follow_up_of=first)
        assert follow_up.due_at == first.next_call_at
        planned = Event.objects.get(
            case_type="activity", case_id=str(follow_up.pk), prev_activity=""
        )
        assert planned.payload["follow_up_of"] == first.pk
    # Every open deal has something planned: My day and the team pages have data.
    open_deal = Deal.objects.filter(status="open", activities__status="planned").first()
    assert open_deal is not None
    owner = open_deal.responsible
    assert open_activities_of(actor=owner, user=owner).exists()
    assert Activity.objects.filter(
        status="planned", due_at__gte=Deal.objects.latest("created_at").created_at
    ).exists()
    # The neglected clients stay untouched in the last NEGLECT_DAYS days.
    farmer = User.objects.get(username=generator.OVERLOADED_MANAGER)
    quiet_since = datetime.combine(date.today(), time.min, tzinfo=UTC) - timedelta(
        days=generator.NEGLECT_DAYS
    )
    assert not Activity.objects.filter(
        company__responsible=farmer, status="done", completed_at__gte=quiet_since
    ).exists()


def test_the_first_sale_of_a_hunters_client_hands_it_to_a_farmer(
    dataset: dict[str, int],
) -> None:
    handoffs = list(ClientHandoff.objects.select_related("company", "deal", "hunter", "farmer"))
    assert len(handoffs) == dataset["sales.clienthandoff"] > 0
    for handoff in handoffs:
        company, deal = handoff.company, handoff.deal
        assert deal is not None
        assert deal.status == "won"
        first = Deal.objects.filter(company=company, status="won", hunter__isnull=False).order_by(
            "closed_at"
        )[0]
        assert deal == first
        assert handoff.hunter_id == deal.responsible_id
        assert handoff.farmer is not None
        assert handoff.farmer.roles.filter(code="farmer").exists()
        assert (company.responsible_id, company.segment) == (handoff.farmer_id, "current")
        assert set(company.contacts.values_list("responsible_id", flat=True)) == {handoff.farmer_id}
    handoff = handoffs[0]
    events = list(
        Event.objects.filter(case_type="company", case_id=str(handoff.company_id)).order_by(
            "timestamp"
        )
    )
    assert [e.activity for e in events] == [
        "company_reassigned",
        "company_changed",
        "client_handed_off",
    ]
    assert events[2].prev_activity == "company_changed"
    assert events[2].payload["farmer"] == handoff.farmer.username  # type: ignore[union-attr]
    assert events[2].payload["share_until"] == handoff.share_until.isoformat()
    links = {(o.object_type, o.object_id, o.qualifier) for o in events[2].links.all()}
    assert links == {
        ("deal", str(handoff.deal_id), "first_sale"),
        ("user", str(handoff.hunter_id), "hunter"),
        ("user", str(handoff.farmer_id), "farmer"),
    }
    # Won deals of hunters' clients without a handoff do not exist.
    unhanded = Deal.objects.filter(status="won", hunter__isnull=False).exclude(
        company__handoff__isnull=False
    )
    assert not unhanded.exists()


def test_deal_amounts_are_the_sums_of_their_lines_priced_from_the_base_list(
    dataset: dict[str, int],
) -> None:
    base = PriceList.objects.get(kind="base")
    discounts = PriceList.objects.filter(kind="discount").order_by("level")
    products = Product.objects.filter(sku__startswith="GEN-")
    assert products.count() == dataset["crm.product"] > 0
    for level, price_list in enumerate(discounts, 1):
        product = products.first()
        assert product is not None
        full = Price.objects.get(price_list=base, product=product).amount
        cut = Price.objects.get(price_list=price_list, product=product).amount
        assert cut == (full * (1 - level * generator.DISCOUNT_STEP)).quantize(generator.CENTS)
    with_lines = Deal.objects.filter(items__isnull=False).distinct()
    assert with_lines.count() > Deal.objects.count() / 4
    for deal in with_lines[:50]:
        lines = list(deal.items.all())
        assert deal.amount == sum((line.total for line in lines), Decimal(0))
        assert deal.price_list_id == base.pk
        for line in lines:
            assert line.price == Price.objects.get(price_list=base, product=line.product_id).amount
        added = Event.objects.filter(
            case_type="deal", case_id=str(deal.pk), payload__has_key="item_added"
        ).order_by("timestamp")
        assert added.count() == len(lines)
        last = added.last()
        assert last is not None
        assert last.payload["changes"]["amount"][1] == str(deal.amount)
        assert {o.object_type for o in last.links.all()} == {"product"}
    won = Deal.objects.filter(status="won").first()
    assert won is not None
    event = Event.objects.get(case_type="deal", case_id=str(won.pk), activity="deal_won")
    assert event.payload["amount"] == str(won.amount)


def test_running_approvals_are_of_recent_drafts(dataset: dict[str, int]) -> None:
    """A neglected client's deal left in the contract stage months ago has no review
    waiting for it since then: the running approvals started in the last days."""
    running = ProcessInstance.objects.filter(status=InstanceStatus.RUNNING)
    assert running.exists()
    since = generator.Config(deals=1).end - timedelta(days=6)
    assert not running.filter(created_at__lt=since).exists()


def test_a_running_approval_is_advanced_by_the_engine_to_its_end(
    dataset: dict[str, int],
) -> None:
    instance = (
        ProcessInstance.objects.filter(status=InstanceStatus.RUNNING)
        .select_related("responsible")
        .order_by("pk")
        .first()
    )
    assert instance is not None
    assert instance.responsible is not None
    open_tasks = HumanTask.objects.filter(instance=instance, status="open")
    assert open_tasks.count() == 1
    assert instance.variables["initiator"] == instance.responsible.username
    before = Event.objects.filter(case_type="process_instance", case_id=str(instance.pk)).count()
    while True:
        task = HumanTask.objects.filter(instance=instance, status="open").first()
        if task is None:
            break
        # A holder of the role whose scope covers the process (a head of its team, a lawyer).
        holders = User.objects.filter(roles__code=task.candidate_role).order_by("pk")
        doer = next(
            (u for u in holders if bpm_services.is_candidate(u, task)), instance.responsible
        )
        bpm_services.task_complete(actor=doer, task=task, data={"decision": "approve"})
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.COMPLETED
    events = _chained_log("process_instance", instance.pk)
    assert len(events) > before
    assert events[-1].activity == "process_completed"


def test_no_event_of_the_history_lies_ahead(dataset: dict[str, int]) -> None:
    """The history ends at the midnight that began today on the server's clock: a lead
    created in its last days was disqualified up to three days later (after the end), and the
    end itself, midnight UTC of the local date, lay ahead for the first hours of a Moscow day."""
    from django.db.models import Max
    from django.utils import timezone

    end = generator.Config(deals=1).end
    assert timezone.localtime(end).time() == time.min
    assert timezone.localtime(end).date() == timezone.localdate()
    # The library's processes are deployed, and the dataset recorded, as the generator runs.
    history = Event.objects.exclude(case_type__in=["process_definition", "dataset"])
    assert history.aggregate(latest=Max("timestamp"))["latest"] <= end <= timezone.now()
    assert Event.objects.aggregate(latest=Max("timestamp"))["latest"] <= timezone.now()


def test_client_names_are_unique_and_cards_date_from_just_before_their_first_deal(
    dataset: dict[str, int],
) -> None:
    assert not Company.objects.values("name").annotate(n=Count("pk")).filter(n__gt=1).exists()
    record = dataset_record(deals=400, seed=5, events_per_deal=None)
    assert record is not None
    end = datetime.fromisoformat(record.payload["end"])
    start = end - timedelta(days=generator.SPAN_DAYS)
    # A deal's lead came in up to ten days before it, the card up to CARD_LEAD_HOURS before.
    earliest = start - timedelta(days=10, hours=generator.CARD_LEAD_HOURS)
    bought = 0
    for company in Company.objects.prefetch_related("contacts", "deals", "leads"):
        # Within the history: the portfolio's maturation cannot reach back years.
        assert earliest <= company.created_at < end
        assert {c.created_at for c in company.contacts.all()} == {company.created_at}
        for row in (*company.deals.all(), *company.leads.all()):
            assert company.created_at < row.created_at
        won = [d.closed_at for d in company.deals.all() if d.status == "won" and d.closed_at]
        if won:
            bought += 1
            assert min(won) - company.created_at < end - earliest
    assert bought > 0


def test_leads_are_classified_plausibly(dataset: dict[str, int]) -> None:
    """Converted leads are classified, mostly hot or warm; refused ones mostly cold, some never
    classified; each probability lies in its rating's range."""
    converted = Lead.objects.filter(status=LeadStatus.CONVERTED)
    refused = Lead.objects.filter(status=LeadStatus.DISQUALIFIED)
    assert converted.exists()
    assert refused.exists()
    assert not converted.filter(rating="").exists()
    assert refused.filter(rating="", category="", close_probability=None).exists()
    hot_or_warm = converted.filter(rating__in=[LeadRating.HOT, LeadRating.WARM]).count()
    assert hot_or_warm > 0.7 * converted.count()
    classified_refused = refused.exclude(rating="")
    assert classified_refused.filter(rating=LeadRating.COLD).count() > 0.5 * (
        classified_refused.count()
    )
    for lead in Lead.objects.exclude(rating=""):
        low, high = PROBABILITY_RANGES[lead.rating]
        assert lead.close_probability is not None
        assert low <= lead.close_probability <= high
        assert lead.category in LeadCategory.values
    assert len(set(converted.values_list("category", flat=True))) >= 4
