"""The mining operations under the API fuzzer alone (the full walk is `core`'s, and long):
no server error and answers that match their schema, as a head and as another team's hunter."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from greenwave.accounts import services as account_services
from greenwave.config.wsgi import application
from greenwave.core.tests.test_api_fuzzing import (
    CHECKS,
    MAX_EXAMPLES,
    _keep_the_test_connection,  # noqa: F401 - the autouse fixture, reused
)

pytestmark = pytest.mark.django_db


def _fuzz_mining(user: Any) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    _token, raw = account_services.token_issue(actor=None, user=user, name="fuzz")
    headers = {"Authorization": f"Bearer {raw}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if "/mining/" not in operation.path:
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                cache.clear()
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:
                first = str(exc).strip().splitlines()[:12]
                failures.append(f"{operation.label} [{mode.value}]: " + "\n    ".join(first))
    return operations, failures


@pytest.mark.parametrize("who", ["head_a", "hunter_b"])
def test_mining_operations_survive_the_fuzzer(two_teams, b2b, who) -> None:
    operations, failures = _fuzz_mining(two_teams[who])
    assert operations == 8
    assert not failures, "\n".join(failures)
