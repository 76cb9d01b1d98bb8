"""The writes of a process step that need no answer but the ids of inserted rows, sent to the
database together: on PostgreSQL one round trip (the statements joined in one simple-query
message, run in order inside the step's transaction), elsewhere one statement after another.

The statements are the ones the ORM would send (compiled by its own compilers: the fields'
conversions, `auto_now` and the like apply), so a step written through here leaves the same
rows as `save()`/`create()` would. Nothing is sent until `send()`; a step that raises before
it sends nothing, and one that raises after it rolls back with its transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import DataError, connection, models
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery, UpdateQuery

from greenwave.core.services import EventEntry, event_append_many, event_append_many_statement

_NAMED_PARAMETER = re.compile(r"%\((\w+)\)s")


# A statement of the message: (sql, params, the model instance whose key an INSERT returns,
# the rows it must change).
_Statement = tuple[str, tuple[Any, ...], models.Model | None, int | None]
_STALE = "greenwave: stale row"


class StaleRowError(Exception):
    """A write that had to change a number of rows changed another: the row is not as the
    step read it (its transaction must roll back)."""


class StepWrites:
    def __init__(self) -> None:
        # (sql, params, the model instance whose pk an INSERT returns, rows it must touch)
        self._statements: list[_Statement] = []
        # The events appended after the writes (SQLite: `event_append_many` after them).
        self._events: dict[str, Any] | None = None

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
        """`obj.save()` of a new row; its key, unless set already (`drawn_key`), is set by
        `send()`."""
        meta = obj._meta
        drawn = obj.pk is not None
        fields = [field for field in meta.local_concrete_fields if drawn or not field.primary_key]
        query = InsertQuery(type(obj))
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(connection=connection)
        if not drawn:
            compiler.returning_fields = [meta.pk]
        [(sql, params)] = compiler.as_sql()
        self._statements.append((sql, tuple(params), None if drawn else obj, None))

    def append_events(
        self,
        *,
        case_type: str,
        case_id: str | int,
        entries: Sequence[EventEntry],
        new_case: bool = False,
    ) -> None:
        """`event_append_many` of the step's events, after the writes: on PostgreSQL its
        statement goes in the same message (the events must not name a key that `send()`
        has still to set: draw it first, `drawn_key`)."""
        if not entries:
            return
        if connection.vendor != "postgresql":
            self._events = {
                "case_type": case_type,
                "case_id": case_id,
                "entries": list(entries),
                "new_case": new_case,
            }
            return
        sql, named = event_append_many_statement(
            case_type=case_type, case_id=case_id, entries=entries, new_case=new_case
        )
        params: list[Any] = []

        def positional(match: re.Match[str]) -> str:
            params.append(named[match[1]])
            return "%s"

        self._statements.append((_NAMED_PARAMETER.sub(positional, sql), tuple(params), None, None))

    def send(self, *, commit: bool = False) -> None:
        """Send the writes (and the events). `commit`: the caller's transaction has nothing
        more to do — on PostgreSQL, when it is the outermost one, its COMMIT ends the same
        message (Django's own commit then finds it done) and the rows a write must change
        are checked by the server, so that a stale row stops the message before the
        COMMIT."""
        statements, self._statements = self._statements, []
        events, self._events = self._events, None
        if commit and _outermost_transaction():
            self._send_and_commit(statements)
            return
        self._send(statements)
        if events is not None:
            event_append_many(**events)

    def _send_and_commit(self, statements: list[_Statement]) -> None:
        checked: list[_Statement] = [
            (_checked_on_server(sql, expect), params, obj, None)
            if expect is not None
            else (sql, params, obj, None)
            for sql, params, obj, expect in statements
        ]
        try:
            self._send([*checked, ("COMMIT", (), None, None)])
        except DataError as exc:
            if _STALE in str(exc):
                raise StaleRowError(str(exc)) from exc
            raise

    def _send(self, statements: list[_Statement]) -> None:
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


def _outermost_transaction() -> bool:
    """Inside the outermost `atomic` block (no savepoint under it), nothing to roll back."""
    return (
        connection.vendor == "postgresql"
        and connection.in_atomic_block
        and connection.commit_on_exit
        and not connection.savepoint_ids
        and not connection.needs_rollback
    )


def _checked_on_server(sql: str, expect: int) -> str:
    """The write as a statement that fails (and so stops the message) unless it changed
    `expect` rows."""
    # An int and a constant around the ORM's own compiled statement: nothing from outside.
    return (
        f"WITH changed AS ({sql} RETURNING 1) "  # noqa: S608
        f"SELECT CAST(CASE WHEN count(*) = {int(expect)} THEN '0' ELSE '{_STALE}' END "
        "AS integer) FROM changed"
    )


def drawn_key(model: type[models.Model]) -> dict[str, RawSQL]:
    """An annotation drawing the next key of `model`'s table from its sequence (PostgreSQL;
    nothing elsewhere): the lock of a step draws the key of the task it will most likely
    insert, so that the events naming it go in the message of the writes (`append_events`).
    A key drawn and not used is a gap in the sequence, as a rolled-back insert leaves."""
    if connection.vendor != "postgresql":
        return {}
    table = model._meta.db_table
    return {"drawn_key": RawSQL("nextval(pg_get_serial_sequence(%s, 'id'))", (table,))}


@contextmanager
def begin_with_next_statement() -> Iterator[None]:
    """On PostgreSQL, inside a transaction that has not begun on the server yet (psycopg
    sends its BEGIN alone and waits for the answer before the first statement), the next
    statement carries the BEGIN: one message `BEGIN; <statement>`, one round trip less.

    psycopg is told not to begin (its autocommit on while the server's transaction runs):
    its COMMIT and ROLLBACK do not look at that flag, and Django puts it back when the
    transaction ends. Anything unusual (a transaction already begun, an isolation level,
    autocommit) leaves the statement as it is."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    from psycopg.pq import TransactionStatus

    idle = TransactionStatus.IDLE
    connection.ensure_connection()
    raw = connection.connection
    if (
        raw.autocommit
        or raw.info.transaction_status != idle
        or raw.isolation_level is not None
        or raw.read_only is not None
        or raw.deferrable is not None
    ):
        yield
        return

    def carry_begin(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if many or raw.autocommit or raw.info.transaction_status != idle:
            return execute(sql, params, many, context)
        raw.autocommit = True  # the BEGIN is ours
        result = execute("BEGIN;\n" + sql, params, many, context)
        context["cursor"].nextset()  # past BEGIN's answer to the statement's rows
        return result

    with connection.execute_wrapper(carry_begin):
        yield
