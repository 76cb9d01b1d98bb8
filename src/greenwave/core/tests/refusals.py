"""The refusal shared by the tests of every app: another team's record answers 404, as if it
did not exist, on every page and API path that names it."""

from __future__ import annotations

from typing import Any


def assert_not_found(client: Any, *urls: str) -> list[Any]:
    """GET each of `urls` with `client` and assert a 404 for each; returns the answers."""
    answers = [client.get(url) for url in urls]
    for url, answer in zip(urls, answers, strict=True):
        assert answer.status_code == 404, url
    return answers
