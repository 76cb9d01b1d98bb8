"""Fixtures of the integrations tests: an administrator and a local webhook receiver."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import translation

from greenwave.accounts.models import User


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Service messages are asserted in English (the default language is Russian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("root", roles=["admin"])


@dataclass
class Receiver:
    """A small HTTP server on 127.0.0.1 answering with the statuses queued in `answers`."""

    url: str
    answers: list[int]
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="", answers=[])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.received.append({"headers": dict(self.headers), "body": body, "path": self.path})
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"try again later")

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/greenwave"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
