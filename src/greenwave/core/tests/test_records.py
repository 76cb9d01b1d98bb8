"""A figure record's fields as a dict: in declaration order, the values themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from greenwave.core.records import field_values


@dataclass
class _Inner:
    n: int


@dataclass
class _Figure:
    name: str
    amount: Decimal
    months: list[Decimal] = field(default_factory=list)
    inner: _Inner | None = None

    @property
    def doubled(self) -> Decimal:
        return self.amount * 2


def test_fields_come_in_declaration_order_without_properties() -> None:
    figure = _Figure("A", Decimal("1.50"))

    assert list(field_values(figure)) == ["name", "amount", "months", "inner"]


def test_left_out_fields_are_missing_and_the_rest_keep_their_order() -> None:
    figure = _Figure("A", Decimal("1.50"), [Decimal(1)])

    assert field_values(figure, leave_out={"months"}) == {
        "name": "A",
        "amount": Decimal("1.50"),
        "inner": None,
    }
    assert list(field_values(figure, leave_out={"name", "months"})) == ["amount", "inner"]


def test_values_are_the_objects_themselves_not_copies() -> None:
    months = [Decimal(1)]
    inner = _Inner(3)

    values = field_values(_Figure("A", Decimal(2), months, inner))

    assert values["months"] is months
    assert values["inner"] is inner
