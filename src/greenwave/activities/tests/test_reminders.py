"""Reminders: due tasks and calls show in the UI and are e-mailed exactly once by the worker
job, through a real SMTP server (aiosmtpd) started in the test."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from greenwave.activities import services
from greenwave.activities.models import Reminder
from greenwave.core.jobs import periodic_jobs


class Inbox:
    """An SMTP handler that keeps every message; it can refuse the n-th one (a failure
    mid-run, as when the server or the worker dies)."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.refuse_at: int | None = None
        self.attempts = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.attempts += 1
        if self.refuse_at is not None and self.attempts == self.refuse_at:
            return "451 Requested action aborted: local error in processing"
        self.messages.append(envelope)
        return "250 OK"

    def subjects(self) -> list[str]:
        return [
            str(email.message_from_bytes(env.content, policy=email.policy.default)["Subject"])
            for env in self.messages
        ]


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port for this test's server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=5,
        ):
            yield inbox
    finally:
        controller.stop()


def _due_tasks(user, n: int) -> list[Any]:
    past = timezone.now() - timedelta(minutes=5)
    return [
        services.activity_create(actor=user, kind="task", subject=f"Задача {i}", due_at=past)
        for i in range(n)
    ]


@pytest.mark.django_db
def test_due_reminders_are_emailed_once_and_shown_in_the_ui(
    smtp, client, make_user, two_teams
) -> None:
    user = make_user("mailer", email="mailer@example.ru", team=two_teams["team_a"])
    _due_tasks(user, 3)
    services.activity_create(
        actor=user, kind="task", subject="Завтра", due_at=timezone.now() + timedelta(days=1)
    )
    job = next(j for j in periodic_jobs() if j.name == "activity_reminders")
    assert job.func() == 3
    assert job.func() == 0  # nothing is sent twice
    assert len(smtp.messages) == 3
    assert all(env.rcpt_tos == ["mailer@example.ru"] for env in smtp.messages)
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 1  # tomorrow's

    client.force_login(user)
    badge = client.get("/activities/reminders/").content.decode()
    assert 'data-testid="reminders-count">3<' in badge
    client.post("/activities/reminders/dismiss/")
    assert (
        'data-testid="reminders-count">0<' in client.get("/activities/reminders/").content.decode()
    )


@pytest.mark.django_db
def test_after_a_failure_mid_run_the_next_run_sends_the_rest_without_duplicates(
    smtp, make_user, two_teams
) -> None:
    user = make_user("mailer", email="mailer@example.ru", team=two_teams["team_a"])
    _due_tasks(user, 5)
    smtp.refuse_at = 3  # the third message fails: the run stops there
    first = services.reminders_send_due()
    assert first == 2
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 3
    second = services.reminders_send_due()
    assert second == 3
    assert services.reminders_send_due() == 0
    subjects = smtp.subjects()
    assert len(subjects) == 5
    assert len(set(subjects)) == 5  # every task once: no loss, no duplicate


@pytest.mark.django_db
def test_completed_or_cancelled_activities_are_not_reminded(smtp, make_user, two_teams) -> None:
    user = make_user("mailer", email="mailer@example.ru", team=two_teams["team_a"])
    first, second = _due_tasks(user, 2)
    services.activity_complete(actor=user, activity=first)
    services.activity_cancel(actor=user, activity=second, reason="не нужно")
    services.reminders_send_due()
    assert smtp.messages == []


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_send_each_reminder_exactly_once(smtp, make_user, two_teams) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED row claims need PostgreSQL; SQLite has one writer anyway")
    user = make_user("mailer", email="mailer@example.ru", team=two_teams["team_a"])
    _due_tasks(user, 12)
    counts: list[int] = []

    def worker() -> None:
        try:
            counts.append(services.reminders_send_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 12
    assert len(smtp.messages) == 12
    assert len(set(smtp.subjects())) == 12
