"""The mining operations under the API fuzzer alone (the full walk is `core`'s, and long):
no server error and answers that match their schema, as a head and as another team's hunter."""

from __future__ import annotations

import pytest

from greenwave.core.tests.test_api_fuzzing import (
    _keep_the_test_connection,  # noqa: F401 - the autouse fixture, reused
    fuzz_operations,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["head_a", "hunter_b"])
def test_mining_operations_survive_the_fuzzer(two_teams, b2b, who) -> None:
    operations, failures = fuzz_operations(two_teams[who], "/mining/")
    assert operations == 8
    assert not failures, "\n".join(failures)
