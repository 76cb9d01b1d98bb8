"""The planning pages of issue 18 timed whole on a benchmark database: the head's team grid
and the director's department view through Django's test client (middleware, selectors,
template), for the last complete month (the figures of the `kpi_grid` benchmark, with its
invoices and payments written for the run and deleted afterwards) and the current one.

    BENCH_DB=greenwave_bench_1000000 .venv/bin/python bench/kpi_pages.py [--deals N] [--runs 3]

Run it under the benchmark's lock (`flock /tmp/bench1m.lock …`): it writes the run's invoice
events and a session per signed-in user, and deletes them at the end. It does not migrate or
generate anything (`bench/run.py` does): the database must hold a generated dataset.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

LIMIT_S = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import benchdb

    benchdb.setup_django(args.deals)
    from django.conf import settings
    from django.db.models import Count

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    import kpi_bench
    from django.test import Client

    from greenwave.accounts.models import Team
    from greenwave.planning import kpis, selectors

    c = kpi_bench._context()
    director, department, month = c["director"], c["department"], c["month"]
    # The heads' teams: the largest sales group (its head's grid) and the largest team of all.
    teams = list(
        Team.objects.filter(parent=department, head__isnull=False)
        .annotate(n=Count("members"))
        .order_by("-n", "pk")
    )
    seeded = kpi_bench._seed_invoices(month)
    print(f"{month.key}: {seeded[0]} invoices, {seeded[1]} payments written for the run")
    failed = False
    try:
        current = kpis.Month.of(kpis.today())
        pages = []
        for team in {teams[0].pk: teams[0], teams[-1].pk: teams[-1]}.values():
            people = len(selectors.team_members(actor=team.head, team=team))  # type: ignore[arg-type]
            pages.append(
                (
                    f"team grid «{team.name}» ({people} people) as its head",
                    team.head,
                    f"/planning/plan/team/?team={team.pk}",
                )
            )
        pages.append(
            (
                f"department view «{department.name}» as the director",
                director,
                f"/planning/plan/department/?team={department.pk}",
            )
        )
        for label, user, url in pages:
            client = Client()
            client.force_login(user)
            for period in (month, current):
                path = f"{url}&period={period.key}"
                times = []
                for attempt in range(args.runs + 1):
                    started = time.perf_counter()
                    answer = client.get(path)
                    spent = time.perf_counter() - started
                    if answer.status_code != 200:
                        raise AssertionError(f"{path}: {answer.status_code}")
                    if attempt:
                        times.append(spent)
                median = statistics.median(times)
                verdict = "pass" if median < LIMIT_S else "FAIL"
                failed |= median >= LIMIT_S
                print(
                    f"page {label}, {period.key}: median {median * 1000:.0f} ms of {args.runs} "
                    f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}) {verdict}"
                )
            client.logout()
    finally:
        kpi_bench._clean()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
