"""Item definitions: whether a value conforms to its type, and its coercion
(``ItemTypeMixin`` of ``DmnModel``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from feeldmn.errors import DmnError
from feeldmn.feel.interpreter import (
    builtin_type_check,
)
from feeldmn.feel.types import FeelFunction, type_name
from feeldmn.feel.unary import (
    compile_unary_tests,
)
from feeldmn.model import (
    Definitions,
    ItemDefinition,
)
from feeldmn.results import _Run
from feeldmn.tables import _TYPE_FAST

if TYPE_CHECKING:
    from feeldmn.evaluator import DmnModel


class ItemTypeMixin:
    """Type checks against item definitions, for ``DmnModel``."""

    def _item(  # type: ignore[misc]  # a mixin of DmnModel
        self: DmnModel, defs: Definitions, name: str
    ) -> tuple[Definitions, ItemDefinition] | None:
        if name in defs.item_definitions:
            return defs, defs.item_definitions[name]
        if "." in name:
            prefix, rest = name.split(".", 1)
            for imp in defs.imports:
                if imp.name == prefix and imp.namespace in self.by_namespace:
                    return self._item(self.by_namespace[imp.namespace], rest)
        if ":" in name:
            return self._item(defs, name.split(":", 1)[1])
        return None

    def _type_check(  # type: ignore[misc]  # a mixin of DmnModel
        self: DmnModel, run: _Run, defs: Definitions, name: str
    ) -> Callable[[Any], bool] | None:
        """The check behind ``instance of``: structure only, allowed values do not count."""
        builtin = builtin_type_check(name.strip())
        if builtin is not None:
            return builtin
        found = self._item(defs, name.strip())
        if found is None:
            return None
        target, item = found
        return lambda value: (
            value is not None and self._conforms_item(run, target, value, item, strict=True)
        )

    def _conforms(  # type: ignore[misc]  # a mixin of DmnModel
        self: DmnModel,
        run: _Run,
        defs: Definitions,
        value: Any,
        type_ref: str,
        *,
        strict: bool = False,
    ) -> bool:
        if value is None:
            return True
        name = type_ref.strip()
        builtin = builtin_type_check(name)
        if builtin is not None:
            return name in ("Any", "feel:Any") or builtin(value)
        found = self._item(defs, name)
        if found is None:
            return True
        target, item = found
        return self._conforms_item(run, target, value, item, strict=strict)

    def _conforms_item(  # type: ignore[misc]  # a mixin of DmnModel
        self: DmnModel,
        run: _Run,
        defs: Definitions,
        value: Any,
        item: ItemDefinition,
        *,
        strict: bool,
    ) -> bool:
        """Whether ``value`` is of type ``item``.

        Every component must be present (null is fine); ``strict`` (instance of) ignores
        allowed values, which conformance of inputs and results checks.
        """
        if value is None:
            return True
        if item.is_collection:
            if not isinstance(value, list):
                return False
            # allowedValues of a collection type constrain its elements.
            single = ItemDefinition(
                item.name,
                item.type_ref,
                False,
                item.allowed,
                item.type_constraint,
                item.components,
                item.is_function,
            )
            return all(self._conforms_item(run, defs, v, single, strict=strict) for v in value)
        if item.components:
            # A context with every component of ``item`` (null is fine), each of its type.
            if not isinstance(value, dict) or not all(
                component.name in value
                and self._conforms_item(
                    run, defs, value.get(component.name), component, strict=strict
                )
                for component in item.components
            ):
                return False
        elif item.is_function:
            if not isinstance(value, FeelFunction):
                return False
        elif item.type_ref and not self._conforms(run, defs, value, item.type_ref, strict=strict):
            return False
        if strict:
            return True
        for constraint in (item.allowed, item.type_constraint):
            if constraint and constraint.strip():
                test = compile_unary_tests(constraint.strip(), self.known)
                if not test(value, run.root):
                    return False
        return True

    def _is_collection(self: DmnModel, defs: Definitions, type_ref: str) -> bool | None:  # type: ignore[misc]  # a mixin of DmnModel
        name = type_ref.strip()
        if name.startswith("list") or name in ("feel:list",):
            return True
        if builtin_type_check(name) is not None:
            return None if name in ("Any", "feel:Any") else False
        found = self._item(defs, name)
        if found is None:
            return None
        return found[1].is_collection

    def _coerce(  # type: ignore[misc]  # a mixin of DmnModel
        self: DmnModel, run: _Run, defs: Definitions, value: Any, type_ref: str | None, what: str
    ) -> Any:
        """Check ``value`` against its declared type; a mismatch gives null and a warning."""
        if value is None or not type_ref:
            return value
        builtin = _TYPE_FAST.get(type_ref)
        if builtin is not None and not isinstance(value, list):
            # The common case: a scalar declared with a built-in type.
            if builtin(value):
                return value
            run.ctx.warn(f"{what}: a {type_name(value)} does not conform to {type_ref}")
            return None
        collection = self._is_collection(defs, type_ref)
        if collection is False and isinstance(value, list) and len(value) == 1:
            value = value[0]
        elif collection is True and not isinstance(value, list):
            value = [value]
        try:
            ok = self._conforms(run, defs, value, type_ref)
        except DmnError:
            ok = True
        if not ok:
            run.ctx.warn(f"{what}: a {type_name(value)} does not conform to {type_ref}")
            return None
        return value


# The scope given to tests that ignore it (the scope_free tables of the fast path).
