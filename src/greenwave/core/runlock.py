"""Run locks: a lock a background job holds for its whole run, which dies with its process.

A worker killed with SIGKILL cannot mark its job as stopped, but what it holds dies with it:
on PostgreSQL a session advisory lock (the server ends the session when the connection
drops), on SQLite (one host) an `flock` on a file (the kernel releases it with the process).
So a job that its row says is running while nobody holds its run lock has lost its worker —
known at once, with no heartbeat age to wait out. `crm.services.imports_resume_stalled` puts
such an import back in the queue.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO

from django.db import connection


def _key(name: str, pk: int) -> int:
    digest = hashlib.blake2b(f"{name}:{pk}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock_path(name: str, pk: int) -> Path:
    """Next to the SQLite file, which every process using the database shares (a private
    /tmp of a service would hide a live worker's lock from the others)."""
    database = str(connection.settings_dict["NAME"])
    if "memory" in database:  # an in-memory database lives in one process only
        tag = hashlib.blake2b(f"{database}:{os.getpid()}".encode(), digest_size=8).hexdigest()
        directory = Path(tempfile.gettempdir()) / f"greenwave-run-locks-{tag}"
    else:
        directory = Path(database).with_name(Path(database).name + ".runlocks")
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory / f"{name}-{pk}.lock"


class RunLock:
    """Held from `acquire` to `release` (or the death of the process)."""

    def __init__(self, name: str, pk: int, handle: IO[bytes] | None) -> None:
        self.name, self.pk, self._handle = name, pk, handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the file releases the flock
            self._handle = None
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_key(self.name, self.pk)])
        except Exception:  # a broken connection has released it already
            connection.close()


def acquire(name: str, pk: int) -> RunLock | None:
    """Take the run lock of job `pk` of kind `name`, or None when another process holds it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key(name, pk)])
            (taken,) = cursor.fetchone()
        return RunLock(name, pk, None) if taken else None
    handle = _lock_path(name, pk).open("ab")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return RunLock(name, pk, handle)


def is_held(name: str, pk: int) -> bool:
    """Whether a live process runs job `pk` now. On PostgreSQL, call it inside the
    transaction that acts on the answer: the check holds the lock until that transaction
    ends, so no worker can start the job in between. (A session re-enters its own lock, so
    ask from a connection other than the runner's.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_key(name, pk)])
            (taken,) = cursor.fetchone()
        return not taken
    lock = acquire(name, pk)
    if lock is None:
        return True
    lock.release()
    return False
