"""Background jobs of outreach (django-tasks): a "send now" starts the sending at once; the
periodic job of `run_worker` does the same every few seconds and picks up the rest."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def send_due() -> None:
    services.deliveries_send_due()
