"""Background jobs of the client base (django-tasks: the database queue or RQ in production,
run immediately in tests): an import's three steps — read the file, check its rows (dry run),
write them."""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django_tasks import task

from . import services


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None (another C library, another system)."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


@contextmanager
def _memory_given_back() -> Iterator[None]:
    """Run an import step with Python's cyclic garbage collector paused, then return to the
    system the heap pages it freed (the file's bytes, its rows, the duplicate lookups): glibc
    keeps them in the worker otherwise, and the next step, or the next job, starts from a
    process grown by the last one (`bench/import_bench`: the worker's peak RSS rose by ~20 MB
    an import of 100 000 rows without it).

    The collector: a step allocates tens of thousands of short-lived lists and dicts (the
    rows), which refcounting frees and which hold no cycles; counted by the collector, they
    set off a full collection — a walk of every object of the worker, Django's included —
    about once an import of 10 000 rows: ~80 ms of the worker's ~0.45 CPU seconds at load 10
    (`gc.callbacks`), none with it paused for the step. Afterwards it is as the step found it;
    a cycle made meanwhile waits for the first collection after the step."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        if _TRIM is not None:
            _TRIM(0)


@task()
def read_import(job_id: int) -> None:
    with _memory_given_back():
        services.import_read(job_id=job_id)


@task()
def check_import(job_id: int) -> None:
    with _memory_given_back():
        services.import_check_run(job_id=job_id)


@task()
def run_import(job_id: int) -> None:
    with _memory_given_back():
        services.import_run(job_id=job_id)
