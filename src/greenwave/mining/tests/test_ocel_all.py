"""One OCEL 2.0 log of every case type: deals, their lead, the contract approval's instance
and tasks, an activity, an invoice and its payment — with object-to-object relations —
streamed by the API and `mining_export`, loaded by pm4py, scoped to the reader."""

from __future__ import annotations

import inspect
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from greenwave.bpm import events as bpm_events
from greenwave.core.services import ObjectRef, event_append
from greenwave.documents.tests.conftest import (  # noqa: F401
    client_company,
    deal,
    product,
    seller,
)
from greenwave.mining.export import all_events, export_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(two_teams, deal, seller, contract_process, process_log, deal_log):  # noqa: F811
    """Team A's deal with a lead, an activity, an issued and paid invoice and a contract
    approval (two tasks); team B's deal with nothing else."""
    from greenwave.activities import services as activity_services
    from greenwave.documents import services as documents
    from greenwave.orders import services as orders
    from greenwave.sales import services as sales_services
    from greenwave.sales.models import LeadSource

    hunter = two_teams["hunter_a"]
    lead = sales_services.lead_create(
        actor=hunter, title="Заявка на трубы", source=LeadSource.CALL, company_name="Ромашка"
    )
    event_append(
        case_type="lead",
        case_id=lead.pk,
        activity="lead_converted",
        actor=hunter,
        objects=[ObjectRef("deal", str(deal.pk), "deal")],
    )
    activity = activity_services.activity_create(
        actor=hunter, kind="call", subject="Позвонить", deal=deal, responsible=hunter
    )
    invoice = documents.invoice_create_from_deal(actor=hunter, deal=deal, seller=seller)
    invoice = documents.invoice_issue(actor=hunter, invoice=invoice)
    orders.payment_record(actor=two_teams["admin"], invoice=invoice, amount=Decimal("100.00"))
    instance = process_log([], owner="hunter_a")
    instance.object_type, instance.object_id = "deal", str(deal.pk)
    instance.save()
    for task_id, element in ((901, "review_head"), (902, "review_lawyer")):
        event_append(
            case_type="process_instance",
            case_id=instance.pk,
            activity=bpm_events.TASK_COMPLETED,
            actor=hunter,
            payload={"task": task_id, "element": element},
            objects=[ObjectRef("deal", str(deal.pk), "subject")],
        )
    other = deal_log(["needs"], owner="hunter_b")
    return {
        "deal": deal,
        "lead": lead,
        "activity": activity,
        "invoice": invoice,
        "instance": instance,
        "other": other,
    }


def _o2o(ocel):
    frame = ocel.o2o
    return {
        (row["ocel:oid"], row["ocel:oid_2"], row["ocel:qualifier"]) for _i, row in frame.iterrows()
    }


def test_one_ocel_of_every_case_type_loads_in_pm4py(two_teams, world, tmp_path) -> None:
    import pm4py

    actor = two_teams["admin"]
    d, w = world["deal"].pk, world
    for fmt, reader in (("ocel2-json", pm4py.read_ocel2_json), ("ocel2-xml", pm4py.read_ocel2_xml)):
        chunks = export_all(actor, fmt)
        assert inspect.isgenerator(chunks)
        path = tmp_path / f"all.{fmt}"
        path.write_text("".join(chunks), encoding="utf-8")
        ocel = reader(str(path))
        types = set(ocel.objects["ocel:type"])
        assert {"deal", "lead", "activity", "invoice", "process_instance", "human_task"} <= types
        assert len(ocel.events) == all_events(actor).count()
        o2o = _o2o(ocel)
        assert (f"lead:{w['lead'].pk}", f"deal:{d}", "deal") in o2o
        assert (f"process_instance:{w['instance'].pk}", "human_task:901", "task") in o2o
        assert (f"process_instance:{w['instance'].pk}", f"deal:{d}", "subject") in o2o
        assert any(a == f"invoice:{w['invoice'].pk}" and b == f"deal:{d}" for a, b, _q in o2o)
        assert any(a == f"activity:{w['activity'].pk}" and b == f"deal:{d}" for a, b, _q in o2o)
        payments = ocel.events[ocel.events["ocel:activity"] == "payment_received"]
        assert len(payments) == 1
        # Every event of the log is related to its case object, and every object is declared.
        objects = set(ocel.objects["ocel:oid"])
        assert set(ocel.relations["ocel:oid"]) <= objects
        assert {b for _a, b, _q in o2o} <= objects
        assert f"deal:{w['other'].pk}" in objects


def test_the_reader_sees_only_their_cases_in_the_log_of_all(two_teams, world, bearer) -> None:
    client = bearer(two_teams["hunter_a"])
    answer = client.get("/api/v1/mining/export", {"format": "ocel2-json", "case_type": "all"})
    assert answer.status_code == 200
    assert answer["Content-Disposition"].endswith('all.jsonocel"')
    body = b"".join(answer.streaming_content).decode()
    assert f'"deal:{world["deal"].pk}"' in body
    assert f'"deal:{world["other"].pk}"' not in body  # team B's deal
    assert f'"lead:{world["lead"].pk}"' in body
    bad = client.get("/api/v1/mining/export", {"format": "xes", "case_type": "all"})
    assert bad.status_code == 400
    narrowed = client.get(
        "/api/v1/mining/export", {"format": "ocel2-xml", "case_type": "all", "pipeline": 1}
    )
    assert narrowed.status_code == 400


def test_the_export_command_writes_the_log_of_all(two_teams, world, tmp_path) -> None:
    import pm4py

    out = tmp_path / "all.xmlocel"
    call_command(
        "mining_export",
        "--format",
        "ocel2-xml",
        "--case-type",
        "all",
        "--out",
        str(out),
        stderr=StringIO(),
    )
    ocel = pm4py.read_ocel2_xml(str(out))
    assert f"invoice:{world['invoice'].pk}" in set(ocel.objects["ocel:oid"])
