"""Model instances from the columns of a hand-written SELECT, built as the ORM builds them:
for statements written once per process instead of composed by the ORM on every request (a
process step's lock, the bearer token's read)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


class ModelColumns:
    """A model's columns in a hand-written SELECT (`sql`, the table named `alias`) and the
    model instance built from them as the ORM builds one: each field's converters applied
    (the backend's and the field's, as `SQLCompiler.get_converters`), the fields left out
    deferred (`Model.from_db`). Made once per process and connection vendor: a statement
    written once instead of composed by the ORM on every step."""

    def __init__(self, model: type[models.Model], alias: str, exclude: Sequence[str] = ()):
        quote = connection.ops.quote_name
        self.model = model
        fields = [f for f in model._meta.concrete_fields if f.attname not in exclude]
        self.sql = ", ".join(f"{quote(alias)}.{quote(f.column)}" for f in fields)
        self.attnames = [f.attname for f in fields]
        self.width = len(fields)
        self._converters = [
            (n, converters, col)
            for n, col, converters in (
                (n, col, column_converters(col))
                for n, col in enumerate(f.get_col(alias) for f in fields)
            )
            if converters
        ]

    def convert(self, values: Sequence[Any]) -> list[Any]:
        converted = list(values)
        for n, converters, col in self._converters:
            value = converted[n]
            for converter in converters:
                value = converter(value, col, connection)
            converted[n] = value
        return converted

    def build(self, values: Sequence[Any]) -> Any:
        return self.model.from_db(connection.alias, self.attnames, self.convert(values))


def column_converters(col: Any) -> list[Any]:
    """The converters the ORM applies to a selected column (backend's, then the field's)."""
    return [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]
