"""Verdicts and reports of `bench/run.py`: a ratio against a ceiling measured in the same run.

Kept here (importable, unit-tested by `make test`) while the benchmarks themselves live in the
top-level `bench/` folder, outside the test run. A ratio is Greenwave's throughput divided by
the ceiling's (equivalently the ceiling's time divided by ours): 1.0 means as fast as the best
hand-written code, 0.5 means half as fast. Bare times differ between machines; ratios travel.
"""

from __future__ import annotations

import json
import math
import platform
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

PASS, FAIL, SKIP = "pass", "FAIL", "SKIP"


@dataclass
class BenchResult:
    name: str
    target: float
    ratio: float | None = None
    status: str = SKIP
    details: str = ""
    figures: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        if self.status == SKIP or self.ratio is None:
            return f"bench {self.name} SKIP ({self.details})"
        return (
            f"bench {self.name} ratio={self.ratio:.2f} target={self.target:.2f} "
            f"{self.status} ({self.details})"
        )


def verdict(
    name: str,
    *,
    ours: float,
    ceiling: float,
    target: float,
    details: str = "",
    figures: dict[str, Any] | None = None,
) -> BenchResult:
    """Judge throughputs (higher is better): ratio = ours / ceiling, pass when ≥ target."""
    if ours < 0 or ceiling <= 0:
        raise ValueError("throughputs must be positive")
    ratio = ours / ceiling
    return BenchResult(
        name=name,
        target=target,
        ratio=ratio,
        status=PASS if round(ratio, 2) >= target else FAIL,
        details=details,
        figures=dict(figures or {}),
    )


def verdict_from_times(
    name: str, *, ours_s: float, ceiling_s: float, target: float, details: str = "", **extra: Any
) -> BenchResult:
    """The same verdict from durations of one unit of work (lower is better)."""
    if ours_s <= 0 or ceiling_s <= 0:
        raise ValueError("durations must be positive")
    figures = {"ours_s": ours_s, "ceiling_s": ceiling_s, **extra}
    return verdict(
        name,
        ours=1 / ours_s,
        ceiling=1 / ceiling_s,
        target=target,
        details=details,
        figures=figures,
    )


def skipped(name: str, target: float, reason: str) -> BenchResult:
    return BenchResult(name=name, target=target, status=SKIP, details=reason)


def median_time(func: Callable[[], Any], *, runs: int, clock: Callable[[], float]) -> float:
    """Median duration of `runs` calls after one warm-up call."""
    func()
    times = []
    for _ in range(runs):
        started = clock()
        func()
        times.append(clock() - started)
    return statistics.median(times)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p50 = 0.5, p99 = 0.99) of a non-empty sample."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def markdown_table(results: Sequence[BenchResult]) -> str:
    rows = [
        "| benchmark | ratio | target | verdict | details |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for r in results:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None and r.status != SKIP else "—"
        details = r.details.replace("|", "\\|")
        rows.append(f"| {r.name} | {ratio} | {r.target:.2f} | {r.status} | {details} |")
    return "\n".join(rows) + "\n"


def machine() -> dict[str, Any]:
    import os

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }
    cpuinfo, meminfo = Path("/proc/cpuinfo"), Path("/proc/meminfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                info["processor"] = line.split(":", 1)[1].strip()
                break
    if meminfo.exists():
        first = meminfo.read_text().splitlines()[0].split()
        info["memory_gb"] = round(int(first[1]) / 1024 / 1024, 1)
    return info


def write_reports(
    results: Sequence[BenchResult],
    directory: Path,
    *,
    when: datetime,
    meta: dict[str, Any] | None = None,
) -> tuple[Path, Path]:
    """`<timestamp>.json` with every figure and `<timestamp>.md` with the table."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = when.strftime("%Y%m%dT%H%M%S")
    info = {"when": when.isoformat(), "machine": machine(), **(meta or {})}
    json_path = directory / f"{stamp}.json"
    json_path.write_text(
        json.dumps({**info, "results": [asdict(r) for r in results]}, indent=2, default=str),
        encoding="utf-8",
    )
    md_path = directory / f"{stamp}.md"
    header = f"# Greenwave benchmarks {when:%Y-%m-%d %H:%M}\n\n"
    lines = "".join(f"- {k}: {v}\n" for k, v in info.items() if k != "when")
    md_path.write_text(header + lines + "\n" + markdown_table(results), encoding="utf-8")
    return json_path, md_path
