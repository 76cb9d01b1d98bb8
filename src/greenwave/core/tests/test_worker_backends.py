"""`run_worker` runs queued tasks from the database queue and, with REDIS_URL, from RQ.

Each scenario runs real processes against a scratch SQLite database, as an operator would.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
MANAGE = ROOT / "manage.py"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


ENQUEUE = (
    "from greenwave.core.tests.rq_probe import write_marker; write_marker.enqueue({path!r}, 'done')"
)
HEALTH = "from greenwave.core.health import health_report; print(health_report())"


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="runs once, in the SQLite pass: it uses a scratch SQLite database of its own",
)
@pytest.mark.parametrize("backend", ["database", "redis"])
def test_worker_runs_a_queued_task_and_health_sees_the_queue(tmp_path: Path, backend: str) -> None:
    if backend == "redis" and not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "greenwave.config.settings.dev",
        "GREENWAVE_VAR_DIR": str(tmp_path),
        "DEBUG": "false",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if backend == "redis":
        env["REDIS_URL"] = "redis://127.0.0.1:6379/13"
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # a scratch database of our own
    marker = tmp_path / "marker.txt"
    _run(env, "migrate", "--noinput", "-v", "0")
    _run(env, "shell", "-c", ENQUEUE.format(path=str(marker)))
    assert not marker.exists()  # queued, not run inline

    _run(env, "run_worker", "--once")

    assert marker.read_text() == "done"
    health = _run(env, "shell", "-c", HEALTH)
    assert f"'queue': 'ok ({backend})'" in health
