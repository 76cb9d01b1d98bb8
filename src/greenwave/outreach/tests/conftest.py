from __future__ import annotations

import importlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from django.apps import apps

_DEFAULTS = importlib.import_module("greenwave.sales.migrations.0002_default_pipelines")


@pytest.fixture
def default_pipelines(db: Any) -> None:
    _DEFAULTS.create(apps, None)


@dataclass
class Inbox:
    """What a real SMTP server (aiosmtpd on 127.0.0.1, a random port) received."""

    port: int = 0
    messages: list[Message] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in str(m["To"])]


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.inbox.messages.append(message_from_bytes(envelope.original_content))
        self.inbox.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free port, chosen by the kernel
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox(port=port)
    controller = Controller(
        _Handler(inbox), hostname="127.0.0.1", port=port, server_hostname="localhost"
    )
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = inbox.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    try:
        yield inbox
    finally:
        controller.stop()
