"""The demo's calls fit the client: no «Первичный звонок» for a client already worked with."""

from __future__ import annotations

from typing import Any

from greenwave.activities import services
from greenwave.activities.demo import FIRST_CALL, seed_activities
from greenwave.activities.models import Activity
from greenwave.crm import services as crm_services
from greenwave.sales import services as sales_services
from greenwave.sales.models import Deal, Pipeline


def test_the_kam_s_existing_clients_get_follow_up_calls_not_a_first_call(
    two_teams: dict[str, Any],
) -> None:
    """The KAM's day plan suggested «Первичный звонок» to clients who had bought and been
    called: a client with a won deal or an earlier activity gets a follow-up call; only a
    client nobody has talked to gets the first call."""
    kam = two_teams["hunter_a"]
    clients = [crm_services.company_create(actor=kam, name=f"ООО «Клиент {n}»") for n in range(8)]
    for client in clients[:5]:
        deal = sales_services.deal_create(
            actor=kam, title="Поставка", pipeline=Pipeline.objects.get(code="b2b"), company=client
        )
        Deal.objects.filter(pk=deal.pk).update(status="won")
    for client in clients[5:7]:
        services.activity_create(actor=kam, kind="note", subject="Заметка", company=client)
    seed_activities({"users": {"kam": kam}})
    calls = Activity.objects.filter(kind="call", responsible=kam)
    assert calls.count() == 16
    first = calls.filter(subject=FIRST_CALL)
    assert list(first.values_list("company_id", "status")) == [(clients[7].pk, "done")]
