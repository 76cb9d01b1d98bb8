"""The small helpers that replaced copies in several apps (issue #25) keep what the copies did."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from greenwave.accounts.scoping import acts_as_head
from greenwave.core.change_lines import format_value
from greenwave.core.crud import Back
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.form_posts import form_post
from greenwave.core.forms import initial_of, with_blank
from greenwave.core.values import EMPTY, format_any, joined
from greenwave.crm.requisites import compact


def test_with_blank_puts_the_dash_choice_first() -> None:
    assert with_blank([("a", "A"), ("b", "B")]) == [("", "—"), ("a", "A"), ("b", "B")]
    assert with_blank(x for x in [("a", "A")]) == [("", EMPTY), ("a", "A")]


def test_initial_of_reads_the_named_fields_and_nothing_without_a_record() -> None:
    record = SimpleNamespace(name="Acme", inn="7700000000", notes="kept out")
    assert initial_of(record, ["name", "inn"]) == {"name": "Acme", "inn": "7700000000"}
    assert initial_of(None, ["name", "inn"]) == {}


def test_back_gives_the_template_keys() -> None:
    assert Back("/crm/", "Clients").context() == {"back_url": "/crm/", "back_label": "Clients"}


def test_joined_lists_objects_and_leaves_scalars_to_the_caller() -> None:
    def item(v: object) -> str:
        return f"<{v}>"

    def entry(k: str, v: object) -> str:
        return f"{k}={v}"

    assert joined([1, 2], item, entry) == "<1>, <2>"
    assert joined((1,), item, entry) == "<1>"
    assert joined({"a": 1, "b": 2}, item, entry) == "a=1; b=2"
    assert joined([], item, entry) == EMPTY
    assert joined({}, item, entry) == EMPTY
    assert joined(5, item, entry) is None


def test_event_log_and_process_values_join_as_before() -> None:
    assert format_value(["x", "y"]) == "x, y"
    assert format_value({"a": "x"}) == "a: x"
    assert format_value([]) == EMPTY
    assert format_any(["x", ["y", "z"]]) == "x, y, z"
    assert format_any({}) == EMPTY


def test_acts_as_head() -> None:
    def user(admin: bool, *roles: str) -> SimpleNamespace:
        return SimpleNamespace(
            is_greenwave_admin=admin, has_role=lambda *c: bool(set(c) & set(roles))
        )

    assert acts_as_head(None)  # the system
    assert acts_as_head(user(True))  # type: ignore[arg-type]
    assert acts_as_head(user(False, "head_of_sales"))  # type: ignore[arg-type]
    assert not acts_as_head(user(False, "hunter"))  # type: ignore[arg-type]


def test_compact_drops_spaces_and_hyphens() -> None:
    assert compact(" 77 07-083 893 ") == "7707083893"
    assert compact("") == ""


class _Form:
    """A bound form that validates, for `form_post` (which only asks it and adds errors)."""

    fields = {"name": None}

    def __init__(self) -> None:
        self.errors: list[tuple[str | None, str]] = []

    def is_valid(self) -> bool:
        return True

    def add_error(self, field: str | None, message: str) -> None:
        self.errors.append((field, message))


def _refuse(status: int) -> Callable[[], None]:
    def save() -> None:
        raise DomainError(CoreError.VALIDATION, "refused", status=status)

    return save


def test_form_post_shows_a_refusal_on_the_form_unless_its_status_is_a_refusal(rf: Any) -> None:
    form = _Form()
    page = form_post(rf.post("/"), form, _refuse(400), to="/done/", refusals=(403,))
    assert page is None
    assert form.errors == [(None, "refused")]
    with pytest.raises(DomainError) as raised:
        form_post(rf.post("/"), _Form(), _refuse(403), to="/done/", refusals=(403,))
    assert raised.value.status == 403
    # Without `refusals` (the default) even a 403 stays on the form, as before.
    form = _Form()
    assert form_post(rf.post("/"), form, _refuse(403), to="/done/") is None
    assert form.errors == [(None, "refused")]
