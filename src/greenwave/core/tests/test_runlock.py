"""Run locks die with the process holding them (`core.runlock`)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from greenwave.core import runlock

HOLDER = """
import fcntl, sys, time
handle = open(sys.argv[1], "ab")
fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
print("HELD", flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL: advisory locks")
def test_a_file_run_lock_is_held_while_its_process_lives_and_free_once_it_is_killed(
    tmp_path: Path, monkeypatch: Any
) -> None:
    # A file database: the locks live next to it, where every process using it looks.
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "greenwave.sqlite3"))
    path = runlock._lock_path("test.job", 7)
    assert path.parent == tmp_path / "greenwave.sqlite3.runlocks"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "HELD"
        assert runlock.is_held("test.job", 7)
        assert runlock.acquire("test.job", 7) is None
        assert not runlock.is_held("test.job", 8)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert not runlock.is_held("test.job", 7)
    lock = runlock.acquire("test.job", 7)
    assert lock is not None
    lock.release()
