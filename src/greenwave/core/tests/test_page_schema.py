"""`Page`: an endpoint that answers its own count (no `next`) gets `next` from it."""

from __future__ import annotations

from ninja import Schema

from greenwave.core.api import Page


class Answer(Schema):
    response: Page[int]


def _page(**fields: object) -> Page[int]:
    # As ninja validates an answer: the page inside its response schema.
    return Answer.model_validate({"response": {"items": [1], **fields}}, context={}).response


def test_a_page_with_a_count_and_no_next_gets_next_from_the_count() -> None:
    assert _page(count=30, page=1, page_size=25).next == 2
    assert _page(count=30, page=2, page_size=25).next is None
    assert _page(count=25, page=1, page_size=25).next is None


def test_a_given_next_is_kept() -> None:
    assert _page(count=None, page=2, page_size=25, next=3).next == 3
    assert _page(count=90, page=2, page_size=25, next=None).next is None
