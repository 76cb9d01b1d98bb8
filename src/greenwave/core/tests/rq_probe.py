"""A task for the worker tests: importable by a worker process, it leaves a file behind."""

from __future__ import annotations

from pathlib import Path

from django_tasks import task


@task()
def write_marker(path: str, text: str) -> None:
    Path(path).write_text(text)
