"""`manage.py bpmn_conformance`: import, validate, round-trip; ends with `N passed, N failed`."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from greenwave.bpm.models import ProcessDefinition

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"
MIWG = Path(__file__).resolve().parents[5] / "shared" / "conformance" / "bpmn-miwg"


def _run(*paths: Path) -> list[str]:
    out = StringIO()
    call_command("bpmn_conformance", *[str(p) for p in paths], stdout=out)
    return out.getvalue().strip().splitlines()


def test_the_command_reports_each_file_and_ends_with_the_totals(tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_bytes(b"<bpmn:definitions")
    lines = _run(FILES / "approval.bpmn", broken)
    assert lines[0].startswith("PASS approval.bpmn: deployable")
    assert lines[1].startswith("FAIL broken.bpmn")
    assert lines[-1] == "1 passed, 1 failed"
    assert ProcessDefinition.objects.count() == 0  # nothing kept without --keep


@pytest.mark.skipif(not MIWG.is_dir(), reason="the MIWG reference diagrams are not checked out")
def test_all_miwg_reference_diagrams_pass() -> None:
    lines = _run(MIWG)
    assert lines[-1] == "21 passed, 0 failed", "\n".join(lines)


def test_the_engine_does_not_narrate_task_states_at_the_default_level(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # caplog's handler sees what passes the loggers' own levels: the settings' levels here.
    _run(FILES / "approval.bpmn", FILES / "two_steps.bpmn")
    spiff = [r for r in caplog.records if r.name.startswith("spiff")]
    assert not [r.getMessage() for r in spiff if r.levelno < 30], "engine chatter on the console"
