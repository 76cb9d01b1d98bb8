"""XES and OCEL 2.0 exports load in pm4py, stream, and hold only readable cases."""

from __future__ import annotations

import inspect
from io import StringIO

import pytest
from django.core.management import call_command

from greenwave.mining import export as export_module
from greenwave.mining.log import case_log

pytestmark = pytest.mark.django_db

SEQ = ["needs", "presentation", "cp_preparation", "cp_approval", "contract"]


def _write(tmp_path, actor, log, fmt):
    path = tmp_path / f"log.{export_module.EXTENSIONS[fmt]}"
    chunks = export_module.export(actor, log, fmt)
    assert inspect.isgenerator(chunks)  # streamed, not a built document
    path.write_text("".join(chunks), encoding="utf-8")
    return path


def test_xes_and_ocel_files_load_in_pm4py(two_teams, deal_log, b2b, tmp_path) -> None:
    import pm4py

    for _ in range(3):
        deal_log([*SEQ, "contract"][:6], owner="hunter_a")
    deal_log(SEQ[:2], owner="hunter_b")
    actor = two_teams["head_a"]
    log = case_log(pipeline_id=b2b.pk)
    frame = pm4py.read_xes(str(_write(tmp_path, actor, log, "xes")))
    assert frame["case:concept:name"].nunique() == 3
    assert len(frame) == 3 * 7
    for fmt, reader in (("ocel2-json", pm4py.read_ocel2_json), ("ocel2-xml", pm4py.read_ocel2_xml)):
        ocel = reader(str(_write(tmp_path, actor, log, fmt)))
        assert len(ocel.events) == 3 * 7
        deals = ocel.objects[ocel.objects["ocel:type"] == "deal"]
        assert len(deals) == 3
        assert len(ocel.relations) >= 3 * 7


def test_export_streams_through_iterators_not_lists(two_teams, deal_log, b2b) -> None:
    for _ in range(5):
        deal_log(SEQ)
    log = case_log(pipeline_id=b2b.pk)
    events = export_module.log_events(two_teams["director"], log)
    stream = export_module._stream_events(events)
    assert not isinstance(stream, list)
    assert inspect.isgenerator(stream)
    chunks = export_module.ocel_json(two_teams["director"], log)
    first = next(chunks)
    assert first.startswith('{"objectTypes"')
    assert sum(1 for _ in chunks) > 5  # one chunk per object and per event, not one blob


def test_export_command_and_api(two_teams, deal_log, b2b, bearer, tmp_path) -> None:
    deal_log(SEQ, owner="hunter_b")
    out = tmp_path / "x.xes"
    call_command("mining_export", "--format", "xes", "--out", str(out), stderr=StringIO())
    assert "<trace>" in out.read_text()
    client = bearer(two_teams["hunter_a"])
    answer = client.get("/api/v1/mining/export", {"format": "xes", "pipeline": b2b.pk})
    assert answer.status_code == 200
    assert "<trace>" not in b"".join(answer.streaming_content).decode()  # not their deal
    bad = client.get("/api/v1/mining/export", {"format": "csv"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "validation_error"
