"""Token-based replay against the contract approval BPMN and a pipeline's stage order."""

from __future__ import annotations

import pytest

from greenwave.mining.log import case_log, traces
from greenwave.mining.petri import SINK, SOURCE, net_from_bpmn, replay
from greenwave.mining.selectors import conformance
from greenwave.mining.tests import test_dfg as dfg_test

pytestmark = pytest.mark.django_db

H, L, F, R, N = "review_head", "review_lawyer", "review_finance", "rework", "notify"
FITTING = [H, L, F, N]
PLANTED = {
    "fitting": FITTING,
    "rework": [H, L, R, H, L, F, N],
    "skipped_lawyer": [H, F, N],
    "swapped": [L, H, F, N],
    "extra_finance": [H, L, F, F, N],
    "unfinished": [H, L],
    "unknown": [H, "call_client", L, F, N],
}


def _el(elements):
    return [f"el:{e}" for e in elements]


def test_a_fitting_case_has_fitness_one_and_deviations_are_named(contract_process) -> None:
    net = net_from_bpmn(bytes(contract_process.xml))
    assert replay(net, _el(FITTING)).fitness == 1.0
    assert replay(net, _el(PLANTED["rework"])).fitness == 1.0
    skipped = replay(net, _el(PLANTED["skipped_lawyer"]))
    assert skipped.fitness < 1.0
    assert ("skipped", "el:review_lawyer") in skipped.deviations
    extra = replay(net, _el(PLANTED["extra_finance"]))
    assert ("inserted", "el:review_finance") in extra.deviations
    swapped = replay(net, _el(PLANTED["swapped"]))
    assert ("out_of_order", "el:review_head") in swapped.deviations  # head came after
    assert ("inserted", "el:call_client") in replay(net, _el(PLANTED["unknown"])).deviations


def _pm4py_net(net):
    from pm4py.objects.petri_net.obj import Marking, PetriNet
    from pm4py.objects.petri_net.utils import petri_utils

    pn = PetriNet("model")
    places = {}
    for name in sorted(net.places):
        places[name] = PetriNet.Place(name)
        pn.places.add(places[name])
    for t in net.transitions:
        tr = PetriNet.Transition(t.name, t.label)
        pn.transitions.add(tr)
        for p in t.inputs:
            petri_utils.add_arc_from_to(places[p], tr, pn)
        for p in t.outputs:
            petri_utils.add_arc_from_to(tr, places[p], pn)
    return pn, Marking({places[SOURCE]: 1}), Marking({places[SINK]: 1})


def test_replay_fitness_agrees_with_pm4py(two_teams, process_log, contract_process) -> None:
    import pandas as pd
    import pm4py
    from pm4py.algo.conformance.tokenreplay import algorithm as token_replay

    for elements in PLANTED.values():
        if "call_client" not in elements:
            process_log(elements)
    actor = two_teams["director"]
    log = case_log(case_type="process", process="contract_approval")
    ours = conformance(actor=actor, log=log)
    assert ours["cases"] == 6
    # A case id that reads as a year ("1901") would be turned into a date by pm4py's
    # `format_dataframe`: the ids go to pm4py with a prefix.
    rows = [
        {"case:concept:name": f"case-{case}", "concept:name": label, "time:timestamp": ts}
        for case, steps in traces(actor, log)
        for label, ts, _a in steps
    ]
    frame = pm4py.format_dataframe(pd.DataFrame(rows))
    net, im, fm = _pm4py_net(net_from_bpmn(bytes(contract_process.xml)))
    theirs = token_replay.apply(pm4py.convert_to_event_log(frame), net, im, fm)
    by_case = {f"case-{c['case_id']}": c["fitness"] for c in ours["case_fitness"]}
    event_log = pm4py.convert_to_event_log(frame)
    for trace, result in zip(event_log, theirs, strict=True):
        assert by_case[trace.attributes["concept:name"]] == pytest.approx(
            result["trace_fitness"], abs=0.001
        )
    overall = pm4py.fitness_token_based_replay(
        frame, *_pm4py_net(net_from_bpmn(bytes(contract_process.xml)))
    )
    assert ours["fitness"] == pytest.approx(overall["log_fitness"], abs=0.001)
    kinds = {(d["kind"], d["activity"]) for d in ours["deviations"]}
    assert ("skipped", "el:review_lawyer") in kinds
    assert ours["case_fitness"][0]["fitness"] < 1.0
    assert ours["case_fitness"][-1]["fitness"] == 1.0


def test_pipeline_conformance_counts_the_loop_back_as_a_deviation(
    two_teams, deal_log, stages, b2b
) -> None:
    # the B2B stages after qualification
    seq = [dfg_test.N, dfg_test.P, dfg_test.CP, dfg_test.A, dfg_test.C, dfg_test.INV, dfg_test.M]
    deal_log([*seq, "won"])
    deal_log([*seq[:5], "cp_approval", "contract", *seq[5:], "won"])
    data = conformance(actor=two_teams["director"], log=case_log(pipeline_id=b2b.pk))
    assert data["cases"] == 2
    assert data["case_fitness"][-1]["fitness"] == 1.0
    assert data["case_fitness"][0]["fitness"] < 1.0
    assert data["fitness"] < 1.0
