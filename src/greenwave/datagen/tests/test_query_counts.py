"""Every list page and every API list answers in the same number of queries for a few deals
and for 1 000 (issue "Benchmarks": query counts stay constant as rows grow).

"A few" is 30, not 10: among 10 generated deals none is open, so the kanban board would show
no card and skip its two prefetch queries (contacts, lines), which no N+1 is.

The generated dataset fills clients, contacts, leads, deals and the event log; the pages are
every menu item (as the admin and as a head of sales) and every GET endpoint of /api/v1 that
takes no path parameter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from greenwave.accounts.models import User
from greenwave.accounts.services import token_issue
from greenwave.bpm import services as bpm_services
from greenwave.bpm.models import ProcessDefinition
from greenwave.config.api import api
from greenwave.core.navigation import _REGISTRY
from greenwave.crm.selectors import company_list
from greenwave.datagen.generator import Config
from greenwave.datagen.loader import generate_into_database
from greenwave.sales.models import Deal

pytestmark = pytest.mark.django_db

VIEWERS = ("gen_admin_01", "gen_head_of_sales_01")
# Endpoints that need a query to answer: what each is asked with (None: not asked; the head
# of sales may see no client at all among 10 deals).
QUERIES: dict[str, Callable[[User], str | None]] = {
    "/api/v1/events": lambda user: (
        f"?object=company:{_client_of_a_deal(user)}" if user.is_greenwave_admin else None
    ),
    "/api/v1/analytics/period-over-period": lambda _user: "?from=2026-01-01&to=2026-12-31",
    "/api/v1/search": lambda _user: "?q=ооо",
    # The cases of one edge of a map: asked for with the edge a map showed, not on its own.
    "/api/v1/mining/edge-cases": lambda _user: None,
}


def _client_of_a_deal(user: User) -> int | None:
    clients = company_list(actor=user).filter(deals__isnull=False)
    return clients.order_by("pk").values_list("pk", flat=True).first()


def _api_paths() -> list[str]:
    paths = []
    for prefix, router in api._routers:
        for route, path_view in router.path_operations.items():
            if "{" in route or not any("GET" in op.methods for op in path_view.operations):
                continue
            paths.append(re.sub("/+", "/", f"/api/v1/{prefix}/{route}").rstrip("/"))
    return sorted(set(paths))


def _page_paths() -> list[str]:
    return sorted({reverse(item.url_name) for item in _REGISTRY.values()})


def _counts() -> dict[tuple[str, str], tuple[int, int]]:
    """(viewer, path) → (status, queries) of the second of two requests (caches warm)."""
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for username in VIEWERS:
        user = User.objects.get(username=username)
        browser = Client()
        browser.force_login(user)
        _token, raw = token_issue(actor=None, user=user, name="counts")
        bearer = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        for client, paths in ((browser, _page_paths()), (bearer, _api_paths())):
            for path in paths:
                query = QUERIES[path](user) if path in QUERIES else ""
                if query is None:
                    continue
                url = path + query
                client.get(url)
                with CaptureQueriesContext(connection) as queries:
                    status = client.get(url).status_code
                found[(username, path)] = (status, len(queries))
    return found


def _generated(deals: int) -> dict[tuple[str, str], tuple[int, int]]:
    generate_into_database(Config(deals=deals, seed=3, chunk=500), rebuild_indexes=False)
    assert Deal.objects.count() == deals
    # Among 30 deals there may be no running approval, so the task pages would be empty and
    # skip their rows query: one contract approval more is started in both datasets.
    hunter = User.objects.get(username="gen_hunter_01")
    # A deal of his team: a process is bound only to a record its starter may read.
    deal = Deal.objects.filter(team=hunter.team_id).order_by("pk").first()
    assert deal is not None
    definition = ProcessDefinition.objects.get(key="contract_approval", status="deployed")
    bpm_services.instance_start(
        actor=hunter, definition=definition, object_type="deal", object_id=deal.pk
    )
    return _counts()


def test_list_pages_and_api_lists_take_as_many_queries_for_1000_deals_as_for_30() -> None:
    mark = transaction.savepoint()
    few = _generated(30)
    transaction.savepoint_rollback(mark)
    many = _generated(1000)

    assert set(few) == set(many)
    assert len({path for _user, path in few}) > 30  # every page and endpoint was asked
    # A head of sales is refused the admin pages (403) — in the same number of queries.
    failed = {
        key: status
        for key, (status, _n) in many.items()
        if status != 200 and not (status == 403 and key[0] != "gen_admin_01")
    }
    assert not failed, f"not answered: {failed}"
    assert all(few[key][0] == many[key][0] for key in few)
    grew: dict[Any, Any] = {
        key: (few[key][1], many[key][1]) for key in few if few[key][1] != many[key][1]
    }
    assert not grew, f"queries grew with the rows (30 deals → 1000): {grew}"
