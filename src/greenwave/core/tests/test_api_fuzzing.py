"""Bounded API fuzzing: schemathesis generates requests for every operation of `/api/v1` from
its published OpenAPI description, as a head of sales and as a hunter of another team, and
fails on any server error or any answer that does not match its own schema.

Each operation gets a few examples of valid data (the description's lengths, formats, enums
and ranges) and a few of invalid data, so both the logic and the validation are reached; the
run stays within minutes. Every failing operation is listed, not only the first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
)

from greenwave.accounts import services as account_services
from greenwave.config.wsgi import application

MAX_EXAMPLES = 15


def published_schema_is_the_parsed_one(ctx: Any, response: Any, case: Any) -> bool | None:
    """Valid data by the published description must get past the API's own request parsing:
    a refusal by the parser (`core.validation` with the parser's `errors`) means the
    description is looser than the validation. (Refusals by the business rules — a closed
    deal, a stage of another pipeline — name a `field` and are the logic, reached.)"""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code != 400:
        return None
    body = response.json()
    if body.get("code") == "core.validation" and "errors" in body.get("details", {}):
        raise AssertionError(
            f"Valid data by the published schema refused by the parser: {body['details']}"
        )
    return None


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    negative_data_rejection,
    published_schema_is_the_parsed_one,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Requests go straight to the WSGI application, whose request signals would close a
    database connection older than CONN_MAX_AGE in the middle of the test's transaction (as
    Django's own test client, this run keeps it)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def fuzz_operations(user: Any, path_part: str = "") -> tuple[int, list[str]]:
    """Fuzz every published operation whose path holds `path_part` as `user` (a bearer
    token), both ways; the number of operations and the failures."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    _token, raw = account_services.token_issue(actor=None, user=user, name="fuzz")
    headers = {"Authorization": f"Bearer {raw}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if path_part not in operation.path:
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # The token is a fixed header of the strategy, not one generated (or, negatively,
            # mutated) and then replaced when sent: schemathesis would count a mutated
            # Authorization the server never saw as a second negation, and then not excuse a
            # query value valid on the wire (`{"5": …}` is sent as `page=5`).
            @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                cache.clear()  # throttles would answer 429 to a fuzzer
                case.call_and_validate(checks=CHECKS)

            try:
                run()
            except Unsatisfiable as exc:
                # No invalid request of an operation without parameters or a body (the token
                # being fixed): nothing to refuse, so nothing to check negatively.
                if mode is GenerationMode.POSITIVE:
                    failures.append(f"{operation.label} [positive]: {exc}")
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
                first_line = str(exc).strip().splitlines()[:12]
                failures.append(f"{operation.label} [{mode.value}]: " + "\n    ".join(first_line))
    return operations, failures


def _fuzz(user: Any) -> list[str]:
    operations, failures = fuzz_operations(user)
    assert operations > 100, f"only {operations} operations in the published description"
    return failures


@pytest.mark.django_db
def test_a_head_of_sales_gets_no_server_error_and_answers_that_match_the_schema(
    two_teams: dict[str, Any],
) -> None:
    failures = _fuzz(two_teams["head_a"])
    assert not failures, f"{len(failures)} failing operations:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_a_hunter_of_another_team_gets_no_server_error_and_answers_that_match_the_schema(
    two_teams: dict[str, Any],
) -> None:
    failures = _fuzz(two_teams["hunter_b"])
    assert not failures, f"{len(failures)} failing operations:\n" + "\n".join(failures)
