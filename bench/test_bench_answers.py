"""The benchmarks' answer checks, untimed, on a tiny generated dataset: Greenwave's answer
must equal the hand-written ceiling's, as `make bench` asserts before timing. A change of
what Greenwave answers (KPI 11 «late projects» once counted orders instead of deals while the
bench's ceiling still counted deals) then fails `make test`, not only the next bench run.

The ceilings are hand-written PostgreSQL statements, so these run in the PostgreSQL stage.
The dataset is generated once for the module inside a transaction rolled back at its end;
each test runs in a savepoint of it (what it writes, the rollups and KPI invoices, too).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import analytics_bench
import kpi_bench
import mining_bench
import pytest
from django.core.cache import cache
from django.db import connection, transaction

from greenwave.datagen.generator import Config
from greenwave.datagen.loader import generate_into_database

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the benchmarks' ceilings are hand-written PostgreSQL SQL "
        "(FILTER, percentile_cont, jsonb operators, LATERAL)",
    ),
]

# Small, yet every answer below is non-trivial: at 300 or 600 deals the KPI month's 20 people
# had a single late order (1 day's shift of the dates could leave none), at 1000 they have
# about 9 won deals and 8 late orders; the whole file takes about 25 s on PostgreSQL.
DEALS = 1000


@pytest.fixture(scope="module")
def generated(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        generate_into_database(Config(deals=DEALS, seed=1, chunk=250), rebuild_indexes=False)
        yield
        transaction.set_rollback(True)
    cache.clear()  # nothing the module's readers cached outlives its rolled-back rows


@pytest.fixture
def context(generated: None, db: None) -> tuple[Any, Any]:
    """The director-level reader (gen_admin_01) and the B2B pipeline, as the benches use."""
    return analytics_bench._context()


def test_funnel(context: tuple[Any, Any]) -> None:
    rows = analytics_bench.check_funnel(*context)
    assert sum(r[0] for r in rows.values()) > 0  # entered
    assert sum(r[3] for r in rows.values()) > 0  # won
    assert sum(r[6] for r in rows.values()) > 0  # stuck


def test_stage_durations(context: tuple[Any, Any]) -> None:
    assert len(analytics_bench.check_stage_durations(*context)) > 2


def test_period_over_period(context: tuple[Any, Any]) -> None:
    found = analytics_bench.check_period_over_period(*context)
    created, won, _lost, _amount = found["current"]
    assert created > 0
    assert won > 0


def test_funnel_all_time(context: tuple[Any, Any]) -> None:
    analytics_bench._rollups_current()
    rows = analytics_bench.check_funnel_all_time(*context)
    assert sum(r[3] for r in rows.values()) > 0


def test_sales_overview(context: tuple[Any, Any]) -> None:
    analytics_bench._rollups_current()
    found = analytics_bench.check_sales_overview(context[0])
    _created, won, _lost, _orders, volume = found["current"]
    assert won > 0
    assert volume > 0


def test_portfolio(context: tuple[Any, Any]) -> None:
    analytics_bench._rollups_current()
    assert len(analytics_bench.check_portfolio(context[0])) > 10


def test_kpi_grid(generated: None, db: None) -> None:
    c = kpi_bench._context()
    invoices, payments, _closed = kpi_bench._seed_invoices(c["month"])
    assert invoices > 0
    assert payments > 0
    total = kpi_bench.check_kpi_grid(c)[("t", c["department"].pk)]
    for key in ("projects", "revenue", "calls", "unpaid_invoices", "late_projects"):
        assert total[key], (key, total)


def test_mining_dfg_and_raw(context: tuple[Any, Any]) -> None:
    mining_bench._rebuild()
    assert len(mining_bench.check_dfg(*context)) > 10


def test_mining_dfg_narrowed(context: tuple[Any, Any]) -> None:
    mining_bench._rebuild()
    checked = mining_bench.check_narrowed(context[1])
    assert len(checked) == 3  # the head of a team, one month, one team
    assert all(ours["cases"] > 0 for _w, _r, _l, _p, ours, _t in checked)


def test_mining_export(context: tuple[Any, Any]) -> None:
    sizes = mining_bench.check_export(*context)
    assert all(size > 10_000 for size in sizes.values()), sizes
