"""The verdict and report logic of bench/run.py (the benchmarks themselves run outside tests)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from greenwave.datagen.benchreport import (
    FAIL,
    PASS,
    SKIP,
    markdown_table,
    median_time,
    percentile,
    skipped,
    verdict,
    verdict_from_times,
    write_reports,
)


def test_ratio_is_our_throughput_over_the_ceiling() -> None:
    result = verdict("api_list", ours=300, ceiling=500, target=0.5, details="x")
    assert result.ratio == pytest.approx(0.6)
    assert result.status == PASS
    assert result.line() == "bench api_list ratio=0.60 target=0.50 pass (x)"


def test_below_target_is_a_fail_with_its_figures() -> None:
    result = verdict("dmn_eval", ours=5, ceiling=100, target=0.2, figures={"a": 1})
    assert result.status == FAIL
    assert result.line().startswith("bench dmn_eval ratio=0.05 target=0.20 FAIL")
    assert result.figures == {"a": 1}


def test_times_turn_into_the_same_ratio() -> None:
    result = verdict_from_times("funnel", ours_s=2.0, ceiling_s=1.0, target=0.5)
    assert result.ratio == pytest.approx(0.5)
    assert result.status == PASS
    assert result.figures["ours_s"] == 2.0


def test_bad_measurements_are_refused() -> None:
    with pytest.raises(ValueError):
        verdict("x", ours=1, ceiling=0, target=0.5)
    with pytest.raises(ValueError):
        verdict_from_times("x", ours_s=0, ceiling_s=1, target=0.5)


def test_skip_line_has_no_number() -> None:
    line = skipped("import_csv", 0.3, "not committed").line()
    assert line == "bench import_csv SKIP (not committed)"


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0


def test_median_time_warms_up_then_takes_the_median() -> None:
    ticks = iter([0.0, 1.0, 10.0, 13.0, 20.0, 22.0])
    calls: list[int] = []
    value = median_time(lambda: calls.append(1), runs=3, clock=lambda: next(ticks))
    assert len(calls) == 4  # one warm-up
    assert value == 2.0


def test_reports_are_written_as_json_and_markdown(tmp_path: Path) -> None:
    results = [
        verdict("funnel", ours=1, ceiling=4, target=0.5, details="a | b"),
        skipped("bpm_throughput", 0.5, "later"),
    ]
    json_path, md_path = write_reports(
        results, tmp_path, when=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), meta={"mode": "quick"}
    )
    data = json.loads(json_path.read_text())
    assert [r["status"] for r in data["results"]] == [FAIL, SKIP]
    assert data["mode"] == "quick"
    table = md_path.read_text()
    assert "| funnel | 0.25 | 0.50 | FAIL | a \\| b |" in table
    assert "| bpm_throughput | — | 0.50 | SKIP | later |" in table
    assert markdown_table([]).count("\n") == 2
