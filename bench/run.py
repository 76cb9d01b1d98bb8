"""Greenwave ratio benchmarks: `make bench` (full) or `make bench QUICK=1` (about a minute).

Each benchmark measures Greenwave and a ceiling (the best hand-written code for the same
answer) in the same run and prints
    bench <name> ratio=<x.xx> target=<y.yy> <pass|FAIL> (<details>)
or `bench <name> SKIP (<reason>)` for a feature that has not landed. Reports go to
bench/results/<timestamp>.json and .md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "src"))

if TYPE_CHECKING:
    from greenwave.datagen.benchreport import BenchResult

SEED = 1
QUICK_DEALS = 20_000
FULL_DEALS = 1_000_000
ALL = (
    "funnel",
    "stage_durations",
    "period_over_period",
    "api_list",
    "api_create",
    "dmn_eval",
    "import_csv",
    "bpm_throughput",
    "bpm_vs_bpmn_engine",
    "load_mixed",
    "mining_dfg",
    "kpi_grid",
    "funnel_all_time",
    "sales_overview",
    "portfolio",
    "mining_dfg_raw",
    "mining_vs_pm4py",
    "mining_dfg_narrowed",
    "mining_export",
)


# Each benchmark: the result names it answers, its target, and the call that measures it.
Plan = list[tuple[tuple[str, ...], float, Callable[[], list["BenchResult"]]]]


def _analytics_plan(*, runs: int, label: str) -> Plan:
    import analytics_bench

    return [
        (("funnel",), 0.5, lambda: [analytics_bench.bench_funnel(runs=runs, dataset=label)]),
        (
            ("stage_durations",),
            0.5,
            lambda: [analytics_bench.bench_stage_durations(runs=runs, dataset=label)],
        ),
        (
            ("period_over_period",),
            0.5,
            lambda: [analytics_bench.bench_period_over_period(runs=runs, dataset=label)],
        ),
        (
            ("funnel_all_time",),
            analytics_bench.ROLLUP_TARGET,
            lambda: [analytics_bench.bench_funnel_all_time(runs=runs, dataset=label)],
        ),
        (
            ("sales_overview",),
            analytics_bench.ROLLUP_TARGET,
            lambda: [analytics_bench.bench_sales_overview(runs=runs, dataset=label)],
        ),
        (
            ("portfolio",),
            analytics_bench.ROLLUP_TARGET,
            lambda: [analytics_bench.bench_portfolio(runs=runs, dataset=label)],
        ),
    ]


def _service_plan(*, quick: bool, runs: int, label: str, wanted: set[str]) -> Plan:
    import api_bench
    import bpm_bench
    import dmn_bench
    import import_bench
    import kpi_bench
    import load_bench
    import mining_bench

    load_s, warm_s = (4.0, 1.0) if quick else (15.0, 3.0)
    return [
        (
            ("api_list", "api_create"),
            0.5,
            lambda: api_bench.bench_api(seconds=load_s, warmup=warm_s, dataset=label),
        ),
        (
            ("mining_dfg", "mining_dfg_raw", "mining_vs_pm4py", "mining_dfg_narrowed"),
            mining_bench.TARGET,
            lambda: mining_bench.bench_mining_dfg(runs=runs, dataset=label, wanted=wanted),
        ),
        (
            ("mining_export",),
            mining_bench.EXPORT_TARGET,
            lambda: mining_bench.bench_mining_export(runs=runs, dataset=label),
        ),
        (
            ("kpi_grid",),
            kpi_bench.TARGET,
            lambda: [kpi_bench.bench_kpi_grid(runs=runs, dataset=label)],
        ),
        (("dmn_eval",), 0.2, lambda: [dmn_bench.bench_dmn(seconds=2.0 if quick else 8.0)]),
        (
            ("import_csv",),
            0.3,
            lambda: [import_bench.bench_import(rows=10_000 if quick else 100_000)],
        ),
        (
            ("bpm_throughput", "bpm_vs_bpmn_engine"),
            0.5,
            lambda: bpm_bench.bench_bpm_all(seconds=3.0 if quick else 15.0),
        ),
        (
            ("load_mixed",),
            load_bench.TARGET,
            lambda: [
                load_bench.bench_load(seconds=10.0 if quick else 60.0, warmup=warm_s, dataset=label)
            ],
        ),
    ]


def _run_plan(plan: Plan, wanted: set[str]) -> list[BenchResult]:
    """The wanted benchmarks of the plan, each line printed as it comes."""
    from greenwave.datagen.benchreport import FAIL, BenchResult

    results: list[BenchResult] = []
    for names, target, run in plan:
        if not wanted & set(names):
            continue
        try:
            found = run()
        except Exception as exc:  # a broken benchmark is a FAIL with its reason, not a crash
            traceback.print_exc()
            found = [
                BenchResult(
                    name=n, target=target, ratio=0.0, status=FAIL, details=f"error: {exc}"[:300]
                )
                for n in names
            ]
        for result in found:
            if result.name in wanted:
                print(result.line(), flush=True)
                results.append(result)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20k deals, short load runs")
    parser.add_argument("--deals", type=int, default=None, help="dataset size override")
    parser.add_argument("--only", nargs="*", choices=ALL, default=None)
    args = parser.parse_args()
    deals = args.deals or (QUICK_DEALS if args.quick else FULL_DEALS)
    wanted = set(args.only or ALL)

    import benchdb

    dataset = benchdb.ensure(deals=deals, seed=SEED, events_per_deal=None)
    events = dataset["counts"].get("core.event", 0)
    label = f"{deals:,} deals / {events:,} events".replace(",", " ")

    from greenwave.datagen.benchreport import write_reports

    runs = 3 if args.quick else 1  # after one warm-up call each
    plan = _analytics_plan(runs=runs, label=label)
    plan += _service_plan(quick=args.quick, runs=runs, label=label, wanted=wanted)
    results = _run_plan(plan, wanted)
    json_path, md_path = write_reports(
        results,
        BENCH / "results",
        when=datetime.now(UTC),
        meta={
            "mode": "quick" if args.quick else "full",
            "dataset": label,
            "generation_seconds": dataset.get("seconds"),
            "seed": SEED,
        },
    )
    print(f"reports: {json_path.relative_to(BENCH.parent)}, {md_path.relative_to(BENCH.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
