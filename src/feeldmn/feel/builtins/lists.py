"""FEEL built-ins: list functions (10.3.4.4)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import (
    Decimal,
)
from functools import cmp_to_key
from typing import Any

from feeldmn.feel import operators as ops
from feeldmn.feel.builtins._registry import Fn, _int, builtin
from feeldmn.feel.types import (
    CTX,
    FeelFunction,
)

# ------------------------------------------------------------------------------ list


def _items(args: tuple[Any, ...]) -> list[Any] | None:
    """Aggregates take one list or several values: max([1, 2]) == max(1, 2)."""
    if len(args) == 1 and isinstance(args[0], list):
        return args[0]
    if len(args) == 0:
        return None
    return list(args)


@builtin("list contains", "list", "element")
def _list_contains(items: Any, element: Any) -> Any:
    if not isinstance(items, list):
        return None
    return any(ops.equal(x, element) is True for x in items)


@builtin("count", "*list")
def _count(*args: Any) -> Any:
    items = _items(args)
    return None if items is None else Decimal(len(items))


def _extreme(args: tuple[Any, ...], sign: int) -> Any:
    items = _items(args)
    if not items:
        return None
    best = items[0]
    for x in items[1:]:
        c = ops.compare(x, best)
        if c is None:
            return None
        if c * sign > 0:
            best = x
    if len(items) == 1 and ops.compare(best, best) is None:
        return None
    return best


@builtin("min", "*list")
def _min(*args: Any) -> Any:
    return _extreme(args, -1)


@builtin("max", "*list")
def _max(*args: Any) -> Any:
    return _extreme(args, 1)


def _numbers(args: tuple[Any, ...]) -> list[Decimal] | None:
    items = _items(args)
    if items is None or not all(isinstance(x, Decimal) for x in items):
        return None
    return items


def _total(items: list[Decimal]) -> Decimal:
    total = Decimal(0)
    for x in items:
        total = CTX.add(total, x)
    return total


def _product_of(items: list[Decimal]) -> Decimal:
    total = Decimal(1)
    for x in items:
        total = CTX.multiply(total, x)
    return total


def _median_of(items: list[Decimal]) -> Decimal:
    ordered = sorted(items)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return CTX.divide(CTX.add(ordered[mid - 1], ordered[mid]), Decimal(2))


def _stddev_of(items: list[Decimal]) -> Decimal | None:
    if len(items) < 2:
        return None
    mean = CTX.divide(_total(items), Decimal(len(items)))
    square = sum((CTX.power(CTX.subtract(x, mean), 2) for x in items), Decimal(0))
    return CTX.sqrt(CTX.divide(square, Decimal(len(items) - 1)))


def _of_numbers(fn: Callable[[list[Decimal]], Any]) -> Fn:
    """A built-in of a list of numbers (or numbers as arguments): null for an empty list or
    anything that is not a number."""

    def aggregate(*args: Any) -> Any:
        items = _numbers(args)
        return fn(items) if items else None

    return aggregate


# The built-ins that aggregate a non-empty list of numbers, one shape each.
_NUMBER_AGGREGATES: dict[str, Callable[[list[Decimal]], Any]] = {
    "sum": _total,
    "mean": lambda items: CTX.divide(_total(items), Decimal(len(items))),
    "product": _product_of,
    "median": _median_of,
    "stddev": _stddev_of,
}
for _name, _aggregate in _NUMBER_AGGREGATES.items():
    builtin(_name, "*list")(_of_numbers(_aggregate))


@builtin("mode", "*list")
def _mode(*args: Any) -> Any:
    items = _numbers(args)
    if items is None:
        return None
    if not items:
        return []
    counts: dict[Decimal, int] = {}
    for x in items:
        counts[x] = counts.get(x, 0) + 1
    top = max(counts.values())
    return sorted(x for x, c in counts.items() if c == top)


def _decided(items: list[Any] | None, decisive: bool) -> Any:
    """Three-valued `all` (`decisive` False) or `any` (True): the decisive value if an item
    is it, the other if every item is the other, else null (a null or non-boolean item)."""
    if items is None:
        return None
    if any(x is decisive for x in items):
        return decisive
    if all(x is (not decisive) for x in items):
        return not decisive
    return None


@builtin("all", "*list")
def _all(*args: Any) -> Any:
    return _decided(_items(args), False)


@builtin("any", "*list")
def _any(*args: Any) -> Any:
    return _decided(_items(args), True)


@builtin("sublist", "list", "start position", "length?")
def _sublist(items: Any, start: Any, length: Any) -> Any:
    pos = _int(start)
    if not isinstance(items, list) or pos is None or pos == 0 or abs(pos) > len(items):
        return None
    begin = pos - 1 if pos > 0 else len(items) + pos
    if length is None:
        return items[begin:]
    n = _int(length)
    if n is None or n < 0 or begin + n > len(items):
        return None
    return items[begin : begin + n]


@builtin("append", "list", "*item")
def _append(items: Any, *new: Any) -> Any:
    return [*items, *new] if isinstance(items, list) else None


@builtin("concatenate", "*list")
def _concatenate(*lists: Any) -> Any:
    out: list[Any] = []
    for x in lists:
        if not isinstance(x, list):
            return None
        out.extend(x)
    return out


def _item_index(items: Any, position: Any) -> int | None:
    """The 0-based index of a FEEL position in a list (1 is the first item, -1 the last), or
    None when `items` is not a list or the position is not one of its items."""
    pos = _int(position)
    if not isinstance(items, list) or pos is None or pos == 0 or abs(pos) > len(items):
        return None
    return pos - 1 if pos > 0 else len(items) + pos


@builtin("insert before", "list", "position", "newItem")
def _insert_before(items: Any, position: Any, item: Any) -> Any:
    index = _item_index(items, position)
    return None if index is None else [*items[:index], item, *items[index:]]


@builtin("remove", "list", "position")
def _remove(items: Any, position: Any) -> Any:
    index = _item_index(items, position)
    return None if index is None else [*items[:index], *items[index + 1 :]]


@builtin("reverse", "list")
def _reverse(items: Any) -> Any:
    return items[::-1] if isinstance(items, list) else None


@builtin("index of", "list", "match")
def _index_of(items: Any, match: Any) -> Any:
    if not isinstance(items, list):
        return None
    return [Decimal(i + 1) for i, x in enumerate(items) if ops.equal(x, match) is True]


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if not any(ops.equal(x, y) is True for y in out):
            out.append(x)
    return out


@builtin("union", "*list")
def _union(*lists: Any) -> Any:
    joined = _concatenate(*lists)
    return None if joined is None else _distinct(joined)


@builtin("distinct values", "list")
def _distinct_values(items: Any) -> Any:
    return _distinct(items) if isinstance(items, list) else None


def _flat(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if isinstance(x, list):
            out.extend(_flat(x))
        else:
            out.append(x)
    return out


@builtin("flatten", "list")
def _flatten(items: Any) -> Any:
    return _flat(items) if isinstance(items, list) else None


@builtin("sort", "list", "precedes?", scope=True)
def _sort(scope: Any, items: Any, precedes: Any) -> Any:
    from feeldmn.feel.interpreter import call_function

    if not isinstance(items, list):
        return None
    if precedes is None:
        if not items:
            return []
        for x in items[1:]:
            if ops.compare(items[0], x) is None:
                return None
        return sorted(items, key=cmp_to_key(lambda a, b: ops.compare(a, b) or 0))
    if not isinstance(precedes, FeelFunction):
        return None

    def order(a: Any, b: Any) -> int:
        if call_function(precedes, [a, b], None, scope) is True:
            return -1
        if call_function(precedes, [b, a], None, scope) is True:
            return 1
        return 0

    return sorted(items, key=cmp_to_key(order))


@builtin("list replace", "list", "position", "newItem", scope=True)
def _list_replace(scope: Any, items: Any, position: Any, item: Any) -> Any:
    from feeldmn.feel.interpreter import call_function

    if not isinstance(items, list):
        return None
    if isinstance(position, FeelFunction):
        if len(position.params) != 2:
            return None
        out = []
        for x in items:
            verdict = call_function(position, [x, item], None, scope)
            if not isinstance(verdict, bool):
                return None
            out.append(item if verdict else x)
        return out
    if not isinstance(position, Decimal):
        return None
    pos = int(position)  # a fractional position is truncated
    if pos == 0 or abs(pos) > len(items):
        return None
    index = pos - 1 if pos > 0 else len(items) + pos
    out = list(items)
    out[index] = item
    return out


@builtin("list replace", "list", "match", "newItem", scope=True)
def _list_replace_match(scope: Any, items: Any, match: Any, item: Any) -> Any:
    if not isinstance(match, FeelFunction):
        return None
    return _list_replace(scope, items, match, item)
