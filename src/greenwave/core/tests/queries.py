"""Query-count pinning shared by the tests of list pages and API lists: a list must cost the
same number of queries whatever the number of its rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def assert_queries_do_not_grow(
    fetch: Callable[[], Any], grow: Callable[[], object], *, warm_up: bool = True
) -> tuple[Any, int]:
    """Count the queries of `fetch()`, `grow()` the data, fetch again and assert the count is
    the same. The first fetch (unless `warm_up=False`) is not counted: it fills per-request
    caches such as the API token's last use. Returns the last answer and its query count."""
    if warm_up:
        fetch()
    with CaptureQueriesContext(connection) as few:
        fetch()
    grow()
    with CaptureQueriesContext(connection) as many:
        answer = fetch()
    assert len(many) == len(few), [q["sql"] for q in many]
    return answer, len(many)
