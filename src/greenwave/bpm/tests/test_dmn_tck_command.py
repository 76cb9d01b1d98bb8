"""`manage.py dmn_tck` over the DMN TCK folders of ../shared (DESIGN.md CLI contract)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from feeldmn.tests.test_tck import TCK  # DMN_TCK_DIR, or ../shared beside the repository


@pytest.mark.skipif(not TCK.exists(), reason=f"DMN TCK not found at {TCK}")
def test_dmn_tck_level_2_passes_and_ends_with_the_contract_line() -> None:
    out = StringIO()
    call_command("dmn_tck", str(TCK / "compliance-level-2"), stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    passed = int(last.split()[0])
    assert last == f"{passed} passed, 0 failed"
    assert passed >= 100


def test_dmn_tck_refuses_a_missing_path() -> None:
    with pytest.raises(CommandError):
        call_command("dmn_tck", "/nonexistent/tck")
