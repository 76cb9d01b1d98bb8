"""The small helpers that replaced copies in several apps (issue #25) keep what the copies did."""

from __future__ import annotations

from types import SimpleNamespace

from greenwave.accounts.scoping import acts_as_head
from greenwave.core.change_lines import format_value
from greenwave.core.crud import Back
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
