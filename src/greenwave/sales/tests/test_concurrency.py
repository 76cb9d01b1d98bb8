"""Two users moving the same deal at once: one wins, the other gets a conflict (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from greenwave.core.errors import DomainError
from greenwave.sales import services
from greenwave.sales.errors import SalesError
from greenwave.sales.models import Deal

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_moves_of_one_deal_never_lose_an_update(two_teams, b2b) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL; SQLite serialises all writers")
    stages = {s.code: s for s in b2b.stages.all()}
    deal = services.deal_create(
        actor=two_teams["hunter_a"], title="Гонка", pipeline=b2b, stage=stages["presentation"]
    )
    targets = [stages["needs"], stages["qualification"]]
    results: list[str] = []
    barrier = threading.Barrier(2)

    def move(stage) -> None:
        try:
            barrier.wait()
            services.deal_move(
                actor=two_teams["head_a"], deal=deal, stage=stage, expected_version=1
            )
            results.append("moved")
        except DomainError as exc:
            results.append(str(exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=move, args=(s,)) for s in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == sorted(["moved", SalesError.STALE_VERSION])
    final = Deal.objects.get(pk=deal.pk)
    assert final.version == 2
    assert final.stage in targets
