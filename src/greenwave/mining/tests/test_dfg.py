"""The process map (directly-follows graph) on built logs with known answers, and pm4py."""

from __future__ import annotations

import pandas as pd
import pytest

from greenwave.mining.log import END, START, case_log, traces
from greenwave.mining.selectors import dfg, rework, variants

pytestmark = pytest.mark.django_db

Q, N, P, CP, A, C, INV, M = (
    "qualification",
    "needs",
    "presentation",
    "cp_preparation",
    "cp_approval",
    "contract",
    "invoice",
    "payment",
)


def _edges(data):
    return {(e["source"], e["target"]): e for e in data["edges"]}


def _built(deal_log, stages):
    # 3 straight, 2 with a rework loop at the contract (back to the CP approval), 1 lost.
    for _ in range(3):
        deal_log([N, P, CP, A, C, INV, M, "won"], hours=2)
    deal_log([N, P, CP, A, C, A, C, INV, M, "won"], hours=[2, 2, 2, 2, 2, 10, 4, 2, 2, 2])
    deal_log([N, P, CP, A, C, A, C, INV, M, "won"], hours=[2, 2, 2, 2, 2, 20, 6, 2, 2, 2])
    deal_log([N, "lost"], hours=[2, 5])


def test_dfg_counts_the_built_log_with_start_end_and_the_rework_loop(
    two_teams, deal_log, stages, b2b
) -> None:
    _built(deal_log, stages)
    data = dfg(actor=two_teams["head_a"], log=case_log(pipeline_id=b2b.pk))
    edges = _edges(data)
    s = {code: f"stage:{stage.pk}" for code, stage in stages.items()}
    assert data["cases"] == 6
    assert edges[(START, s[Q])]["count"] == 6
    assert edges[(s[Q], s[N])]["count"] == 6
    assert edges[(s[C], s[A])]["count"] == 2  # the loop back from the contract
    assert edges[(s[A], s[C])]["count"] == 7
    assert edges[(s[C], s[A])]["median_seconds"] == pytest.approx(15 * 3600)
    assert edges[(s[C], s[A])]["mean_seconds"] == pytest.approx(15 * 3600)
    assert edges[("deal_won", END)]["count"] == 5
    assert edges[("deal_lost", END)]["count"] == 1
    assert edges[(s[N], "deal_lost")]["median_seconds"] == pytest.approx(5 * 3600)
    nodes = {n["activity"]: n for n in data["nodes"]}
    assert nodes[s[C]]["count"] == 7
    assert nodes[s[C]]["label"] == "Договор"
    assert nodes[START]["count"] == nodes[END]["count"] == 6
    # Medians over an even count average the middle pair: A→C waits 2,2,2,2,2 and 4,6 hours.
    assert edges[(s[A], s[C])]["median_seconds"] == pytest.approx(2 * 3600)


def test_variants_rework_and_shares(two_teams, deal_log, stages, b2b) -> None:
    _built(deal_log, stages)
    data = variants(actor=two_teams["head_a"], log=case_log(pipeline_id=b2b.pk))
    counts = [v["count"] for v in data["variants"]]
    assert counts == [3, 2, 1]
    assert data["variants"][0]["share"] == 0.5
    rework = {r["activity"]: r for r in data["rework"]}
    contract = rework[f"stage:{stages[C].pk}"]
    assert contract["cases"] == 2
    assert contract["repeats"] == 2
    # First contract visit → its repeat: 10 + 4 hours and 20 + 6 hours.
    assert contract["total_seconds"] == pytest.approx((14 + 26) * 3600)
    assert contract["median_seconds"] == pytest.approx(20 * 3600)


def test_the_rework_aggregate_equals_the_walk_of_the_traces(
    two_teams, deal_log, stages, b2b
) -> None:
    """The map's rework table (one SQL aggregate) is the variants' rework (case by case)."""
    _built(deal_log, stages)
    deal_log([N, P, N, P, N, "lost"], hours=[1, 2, 3, 4, 5, 6], owner="hunter_b")
    for reader in ("head_a", "admin"):
        for filters in ({}, {"team_id": two_teams["team_b"].pk}):
            log = case_log(pipeline_id=b2b.pk, **filters)
            walked = {
                r["activity"]: r for r in variants(actor=two_teams[reader], log=log)["rework"]
            }
            ours = {r["activity"]: r for r in rework(actor=two_teams[reader], log=log)}
            assert set(ours) == set(walked)
            for activity, row in walked.items():
                assert ours[activity]["label"] == row["label"]
                assert (ours[activity]["cases"], ours[activity]["repeats"]) == (
                    row["cases"],
                    row["repeats"],
                )
                assert ours[activity]["total_seconds"] == pytest.approx(row["total_seconds"])
                assert ours[activity]["median_seconds"] == pytest.approx(row["median_seconds"])
    needs = f"stage:{stages[N].pk}"
    team_b = case_log(pipeline_id=b2b.pk, team_id=two_teams["team_b"].pk)
    assert {r["activity"]: r["repeats"] for r in rework(actor=two_teams["admin"], log=team_b)}[
        needs
    ] == 2


def test_a_user_mines_only_the_deals_they_may_read(two_teams, deal_log, stages, b2b) -> None:
    deal_log([N, P], owner="hunter_a")
    deal_log([N, "lost"], owner="hunter_b")
    log = case_log(pipeline_id=b2b.pk)
    assert dfg(actor=two_teams["hunter_a"], log=log)["cases"] == 1
    assert dfg(actor=two_teams["hunter_b"], log=log)["cases"] == 1
    assert dfg(actor=two_teams["director"], log=log)["cases"] == 2
    assert dfg(actor=two_teams["head_b"], log=log)["cases"] == 1
    only_b = case_log(pipeline_id=b2b.pk, team_id=two_teams["team_b"].pk)
    assert dfg(actor=two_teams["hunter_a"], log=only_b)["cases"] == 0


def test_dfg_agrees_with_pm4py_on_a_random_log(two_teams, deal_log, stages, b2b) -> None:
    import random

    import pm4py

    rng = random.Random(7)
    order = [N, P, CP, A, C, INV, M]
    for _ in range(25):
        path, i = [], 0
        while i < len(order):
            path.append(order[i])
            if order[i] == C and rng.random() < 0.3:
                path.append(A)
                continue
            if rng.random() < 0.1:
                path.append("lost")
                break
            i += 1
        else:
            path.append("won")
        deal_log(path, hours=[rng.randint(1, 30) for _ in path])
    actor = two_teams["director"]
    log = case_log(pipeline_id=b2b.pk)
    ours = dfg(actor=actor, log=log)
    rows = [
        {"case:concept:name": case, "concept:name": label, "time:timestamp": ts}
        for case, steps in traces(actor, log)
        for label, ts, _a in steps
    ]
    frame = pm4py.format_dataframe(pd.DataFrame(rows))
    graph, starts, ends = pm4py.discover_dfg(frame)
    mine = {(e["source"], e["target"]): e["count"] for e in ours["edges"]}
    assert {k: v for k, v in mine.items() if START not in k and END not in k} == dict(graph)
    assert {t: v for (s, t), v in mine.items() if s == START} == dict(starts)
    assert {s: v for (s, t), v in mine.items() if t == END} == dict(ends)
    perf = pm4py.discover_performance_dfg(frame)[0]
    for key, stats in perf.items():
        edge = _edges(ours)[key]
        assert edge["median_seconds"] == pytest.approx(stats["median"], abs=0.01)
        assert edge["mean_seconds"] == pytest.approx(stats["mean"], abs=0.01)


def test_process_cases_are_scoped_and_waits_name_the_slow_approver(
    two_teams, process_log, contract_process
) -> None:
    from greenwave.mining.selectors import approver_waits, edge_cases

    process_log(["review_head", "review_lawyer", "review_finance", "notify"], owner="hunter_a")
    process_log(["review_head", "review_lawyer"], owner="hunter_b")
    log = case_log(case_type="process", process="contract_approval")
    assert dfg(actor=two_teams["hunter_a"], log=log)["cases"] == 1
    assert dfg(actor=two_teams["director"], log=log)["cases"] == 2
    assert len(approver_waits(actor=two_teams["hunter_a"])) == 3  # head, lawyer, finance tasks
    assert len(approver_waits(actor=two_teams["hunter_b"])) == 2
    rows = approver_waits(actor=two_teams["director"])
    a, b = two_teams["hunter_a"].pk, two_teams["hunter_b"].pk
    assert {(r["user_id"], r["task"], r["count"], r["median_seconds"]) for r in rows} == {
        (a, "review_head", 1, 3600.0),
        (a, "review_lawyer", 1, 3600.0),
        (a, "review_finance", 1, 3600.0),
        (b, "review_head", 1, 3600.0),
        (b, "review_lawyer", 1, 3600.0),
    }
    # The period (the built log is on 2 March 2026); a wait that is no number is no wait.
    from datetime import date

    from greenwave.bpm import events as bpm_events
    from greenwave.core.models import Event

    march = {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31)}
    assert len(approver_waits(actor=two_teams["director"], **march)) == 5
    assert approver_waits(actor=two_teams["director"], date_from=date(2026, 4, 1)) == []
    assert approver_waits(actor=two_teams["director"], date_to=date(2026, 2, 28)) == []
    done = Event.objects.filter(activity=bpm_events.TASK_COMPLETED).first()
    done.payload = {**done.payload, "waited_seconds": "soon"}
    done.save()
    assert sum(r["count"] for r in approver_waits(actor=two_teams["director"])) == 4
    cases = edge_cases(
        actor=two_teams["director"], log=log, source="el:review_head", target="el:review_lawyer"
    )
    assert len(cases) == 2
    assert all(c["url"].startswith("/processes/instances/") for c in cases)
    hidden = edge_cases(
        actor=two_teams["hunter_b"], log=log, source="el:review_lawyer", target="el:review_finance"
    )
    assert hidden == []


def test_another_case_type_is_mined_within_the_readers_scope(two_teams) -> None:
    from greenwave.crm.services import company_create

    company_create(actor=two_teams["hunter_a"], name="Альфа")
    company_create(actor=two_teams["hunter_b"], name="Бета")
    log = case_log(case_type="company")
    assert dfg(actor=two_teams["hunter_a"], log=log)["cases"] == 1
    assert dfg(actor=two_teams["director"], log=log)["cases"] == 2
