"""The writes of a process step that need no answer but the ids of inserted rows, sent to the
database together: on PostgreSQL one round trip (the statements joined in one simple-query
message, run in order inside the step's transaction), elsewhere one statement after another.

The statements are the ones the ORM would send (compiled by its own compilers: the fields'
conversions, `auto_now` and the like apply), so a step written through here leaves the same
rows as `save()`/`create()` would. Nothing is sent until `send()`; a step that raises before
it sends nothing, and one that raises after it rolls back with its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import connection, models
from django.db.models.sql import InsertQuery, UpdateQuery


class StaleRowError(Exception):
    """A write that had to change a number of rows changed another: the row is not as the
    step read it (its transaction must roll back)."""


class StepWrites:
    def __init__(self) -> None:
        # (sql, params, the model instance whose pk an INSERT returns, rows it must touch)
        self._statements: list[tuple[str, tuple[Any, ...], models.Model | None, int | None]] = []

    def __len__(self) -> int:
        return len(self._statements)

    def update(
        self,
        model: type[models.Model],
        values: Mapping[str, Any],
        *,
        expect: int | None = None,
        **where: Any,
    ) -> None:
        """`model.objects.filter(**where).update(**values)`; `expect`: the rows it must
        change, else `send()` raises (and the step rolls back)."""
        query = UpdateQuery(model)
        query.add_update_values(dict(values))
        query.add_q(models.Q(**where))
        sql, params = query.get_compiler(connection=connection).as_sql()
        self._statements.append((sql, tuple(params), None, expect))

    def save(self, obj: models.Model) -> None:
        """`obj.save()` of a row that exists (every concrete field but the key, `auto_now`
        set as `save()` sets it); the row must be there."""
        meta = obj._meta
        query = UpdateQuery(type(obj))
        query.add_update_fields(
            [
                (field, None, field.pre_save(obj, False))
                for field in meta.local_concrete_fields
                if not field.primary_key
            ]
        )
        query.add_q(models.Q(pk=obj.pk))
        sql, params = query.get_compiler(connection=connection).as_sql()
        self._statements.append((sql, tuple(params), None, 1))

    def insert(self, obj: models.Model) -> None:
        """`obj.save()` of a new row; its key is set by `send()`."""
        meta = obj._meta
        fields = [field for field in meta.local_concrete_fields if not field.primary_key]
        query = InsertQuery(type(obj))
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [meta.pk]
        [(sql, params)] = compiler.as_sql()
        self._statements.append((sql, tuple(params), obj, None))

    def send(self) -> None:
        statements, self._statements = self._statements, []
        if not statements:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and len(statements) > 1:
                cursor.execute(
                    ";\n".join(sql for sql, *_rest in statements),
                    [p for _sql, params, *_rest in statements for p in params],
                )
                for n, (sql, _params, obj, expect) in enumerate(statements):
                    if n:
                        cursor.nextset()
                    self._answered(cursor, sql, obj, expect)
                return
            for sql, params, obj, expect in statements:
                cursor.execute(sql, params)
                self._answered(cursor, sql, obj, expect)

    @staticmethod
    def _answered(cursor: Any, sql: str, obj: models.Model | None, expect: int | None) -> None:
        if obj is not None:
            row = cursor.fetchone()
            obj.pk = row[0]
            obj._state.adding = False
            obj._state.db = connection.alias
        elif expect is not None and cursor.rowcount != expect:
            raise StaleRowError(
                f"a step's write changed {cursor.rowcount} rows instead of {expect}: {sql[:80]}"
            )
