"""Column indexes give the same matches as testing every rule cell by cell."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from feeldmn.feel.api import unary_test
from feeldmn.feel.interpreter import EvalContext, Scope
from feeldmn.feel.unary import compile_unary_tests, unary_constants
from feeldmn.table_index import column_index

NUMBER_CELLS = ["< 0", "[0..10)", "10", "[10..20]", "> 20", "-", "(5..15), 30", ">= 100"]
STRING_CELLS = ['"gold"', '"silver", "bronze"', "-", '"gold", "vip"']
PROBES: list[Any] = [
    *(Decimal(x) for x in ("-5", "0", "4.99", "5", "7", "10", "15", "20", "20.5", "30", "100")),
    "gold",
    "vip",
    "other",
    None,
    True,
]


def _index_for(cells: list[str]) -> Any:
    tests = [None if c == "-" else compile_unary_tests(c) for c in cells]
    constants = [None if c == "-" else unary_constants(c) for c in cells]
    index = column_index(constants, tests)
    assert index is not None
    return index.lookup


@pytest.mark.parametrize("cells", [NUMBER_CELLS, STRING_CELLS])
@pytest.mark.parametrize("value", PROBES)
def test_column_index_agrees_with_unary_tests(cells: list[str], value: Any) -> None:
    mask = _index_for(cells)(value)
    for rule, cell in enumerate(cells):
        assert bool(mask >> rule & 1) == unary_test(cell, value), (cell, value)


def test_cells_with_names_are_not_indexed() -> None:
    assert unary_constants("< limit") is None
    assert unary_constants("? > 5") is None
    assert unary_constants("not(1)") is None
    assert unary_constants("[1..5], 7") == (unary_constants("[1..5]") or ()) + (Decimal(7),)


def test_probe_scope_needs_no_variables() -> None:
    predicate = compile_unary_tests("[1..5]")
    assert predicate(Decimal(3), Scope({}, None, EvalContext())) is True
