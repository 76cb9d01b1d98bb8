"""The writes of a process step that need no answer but the ids of inserted rows, sent to the
database together: on PostgreSQL one round trip (the statements joined in one simple-query
message, run in order inside the step's transaction), elsewhere one statement after another.

The statements are the ones the ORM would send (compiled by its own compilers: the fields'
conversions, `auto_now` and the like apply), so a step written through here leaves the same
rows as `save()`/`create()` would. Nothing is sent until `send()`; a step that raises before
it sends nothing, and one that raises after it rolls back with its transaction.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, DataError, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery, UpdateQuery

# A process step's lock builds its rows with these (`bpm.services.steps`); they live in the kernel.
from greenwave.core.model_rows import ModelColumns as ModelColumns
from greenwave.core.model_rows import column_converters as column_converters
from greenwave.core.services import EventEntry, event_append_many, event_append_many_statement

_NAMED_PARAMETER = re.compile(r"%\((\w+)\)s")
# The events' statement with its named parameters made positional: (text, the names in order).
_POSITIONAL: dict[str, tuple[str, tuple[str, ...]]] = {}


# What reads a statement's answer: the model instance whose key an INSERT returns, or a
# function given the row a write returns (`RowVersions`).
_Reader = models.Model | Callable[[Sequence[Any]], None] | None
# A statement of the message: (sql, params, its reader, the rows it must change).
_Statement = tuple[str, tuple[Any, ...], _Reader, int | None]
# PostgreSQL's system columns that name a row's version (`RowVersions`): compared as they are.
ROW_VERSION_COLUMNS = ("xmin", "ctid")
# A written statement's text with a RETURNING clause: (its text without it, the returned
# expressions), so that `_checked_on_server` can wrap it.
_RETURNING: dict[str, tuple[str, tuple[str, ...]]] = {}
_STALE = "greenwave: stale row"
# Statements written once per process (model, vendor, shape): see `update_row` and `save`.
# (`update_row`'s with the fields of its values and conditions, resolved once)
_UPDATES: dict[tuple[Any, ...], tuple[str, list[Any], list[Any]]] = {}
_SAVES: dict[tuple[Any, ...], str] = {}
# Those statements (and their checked forms): their parameters stand where a column's type
# says theirs, so that PostgreSQL can prepare them (`prepared`).
_PREPARABLE: set[str] = set()
_PREPARED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%s|%%")
_SOURCES: dict[str, str] = {}  # a prepared statement's name: its text
# A statement's text: its prepared statement's name, its EXECUTE and its parameters' count.
_NAMES: dict[str, tuple[str, str, int]] = {}
_EXECUTE = re.compile(r"EXECUTE (gw_[0-9a-f]{20})")
# An EXECUTE with parameters (`prepared`): its text up to the values, for `_one_message`.
_HEADS: dict[str, tuple[bytes, int]] = {}
# A connection's psycopg transformer (its adapters: the values' literals) and its encoding
# (Django never changes it), for `_one_message`.
_TRANSFORMERS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _db() -> BaseDatabaseWrapper:
    """The default database's wrapper itself, for the functions of a step: `connection` is a
    proxy that looks the wrapper up (a thread-local read) on every attribute — some thirty
    times a step in the values' conversions alone."""
    return connections[DEFAULT_DB_ALIAS]


_TEXT_FIELDS = frozenset((models.CharField, models.TextField))
_INTEGER_FIELDS = frozenset(
    (
        models.IntegerField,
        models.PositiveIntegerField,
        models.BigIntegerField,
        models.SmallIntegerField,
        models.PositiveSmallIntegerField,
        models.PositiveBigIntegerField,
    )
)
_AUTO_FIELDS = frozenset((models.AutoField, models.BigAutoField, models.SmallAutoField))


def prep_value(
    field: models.Field[Any, Any], value: Any, connection: BaseDatabaseWrapper, *, save: bool = True
) -> Any:
    """`field.get_db_prep_save(value, connection)` (`save=False`: `get_db_prep_value`, for
    these values the same), the layers of Django's calls skipped for the commonest columns of a
    step — fields of Django's own classes (not subclasses) and values of the type they
    convert to: a text (`to_python` of a `str` or None is the value itself), an integer
    (`int` of an `int`, then the backend's adaptation), an aware `datetime` (the backend's
    adaptation; a naive one takes Django's way, with its warning), a foreign key to an
    automatic key of Django's own class given an `int` or None (the target's conversion:
    `int` of it, the backend's check of an automatic key; None stays None). Anything else —
    and every expression — is converted by the field itself. Some 2–6 µs a column, some
    thirty columns a step; `bpm/tests/test_step_shortcuts.py` holds both conversions equal."""
    kind = type(field)
    if kind in _TEXT_FIELDS:
        if value is None or isinstance(value, str):
            return value
    elif kind is models.DateTimeField:
        if value is None or (type(value) is datetime and value.utcoffset() is not None):
            return connection.ops.adapt_datetimefield_value(value)
    elif kind in _INTEGER_FIELDS and (value is None or type(value) is int):
        return connection.ops.adapt_integerfield_value(value, field.get_internal_type())
    elif kind is models.ForeignKey and type(cast(Any, field).target_field) in _AUTO_FIELDS:
        if value is None:
            return None
        if type(value) is int:
            return connection.ops.validate_autopk_value(value)
    if save:
        return field.get_db_prep_save(value, connection)
    return field.get_db_prep_value(value, connection)


class StaleRowError(Exception):
    """A write that had to change a number of rows changed another: the row is not as the
    step read it (its transaction must roll back)."""


class RowVersions(dict[str, tuple[str, str]]):
    """The versions of rows a step wrote, as PostgreSQL names them (`xmin`, `ctid` as text),
    filled when the write's answer is read (`StepWrites.save`/`insert` with `version=True`):
    `"row"` the written row's new version, and by the name of a foreign key a related row's
    version as the guarded UPDATE compared it (`guard["learn"]`).

    Any UPDATE of a row makes a new version of it: another transaction's gives it a new
    `xmin` (the writer's transaction id), and one of the same transaction (same `xmin`) a new
    `ctid`, as no version a transaction made can be pruned before it ends; `ctid` alone can
    come back (a version pruned by VACUUM frees its place for a later one), `xmin` alone not
    within one transaction. A row that still has both is the row as it was written; a
    locked row (`FOR UPDATE`), a rolled-back update and VACUUM (FREEZE: `xmin` stays
    readable) leave both as they were."""

    def reader(self, names: Sequence[str]) -> Callable[[Sequence[Any]], None]:
        def read(row: Sequence[Any]) -> None:
            self["row"] = (row[0], row[1])
            for n, name in enumerate(names):
                related = row[2 + n]
                if related is not None:
                    self[name] = (related[0], related[1])

        return read


class StepWrites:
    def __init__(self) -> None:
        # (sql, params, the model instance whose pk an INSERT returns, rows it must touch)
        self._statements: list[_Statement] = []
        # The events appended after the writes (SQLite: `event_append_many` after them).
        self._events: dict[str, Any] | None = None
        # Rows inserted with their key given (`insert`): saved once `send()` has sent them.
        self._inserted: list[models.Model] = []
        # The default database's wrapper, looked up once for the step's writes (`_db`).
        self._connection = _db()

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
        sql, params = query.get_compiler(connection=self._connection).as_sql()
        self._statements.append((sql, tuple(params), None, expect))

    def update_row(
        self,
        model: type[models.Model],
        values: Mapping[str, Any],
        *,
        where: Mapping[str, Any],
        expect: int | None = None,
    ) -> None:
        """`update` by attribute names, every condition an equality (None: IS NULL), with a
        statement written once per process for each shape instead of composed by the ORM
        on every step; the values converted as the ORM converts them (`get_db_prep_save`,
        `get_db_prep_value`)."""
        connection = self._connection
        key = (
            model,
            connection.vendor,
            tuple(values),
            tuple((name, value is None) for name, value in where.items()),
        )
        known = _UPDATES.get(key)
        if known is None:
            meta = model._meta
            set_fields = [cast(models.Field[Any, Any], meta.get_field(name)) for name in values]
            where_fields = [cast(models.Field[Any, Any], meta.get_field(name)) for name in where]
            quote = connection.ops.quote_name
            conditions = [
                f"{quote(field.column)} IS NULL" if value is None else f"{quote(field.column)} = %s"
                for field, value in zip(where_fields, where.values(), strict=True)
            ]
            # Identifiers of the model only: the values go as parameters.
            sql = (
                f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608
                + ", ".join(f"{quote(field.column)} = %s" for field in set_fields)
                + " WHERE "
                + " AND ".join(conditions)
            )
            known = _UPDATES[key] = (sql, set_fields, where_fields)
            _PREPARABLE.add(sql)
        sql, set_fields, where_fields = known
        params = [
            prep_value(field, value, connection)
            for field, value in zip(set_fields, values.values(), strict=True)
        ] + [
            prep_value(field, value, connection, save=False)
            for field, value in zip(where_fields, where.values(), strict=True)
            if value is not None
        ]
        self._statements.append((sql, tuple(params), None, expect))

    def save(
        self,
        obj: models.Model,
        *,
        guard: Mapping[str, Any] | None = None,
        version: bool = False,
    ) -> RowVersions | None:
        """`obj.save()` of a row that exists (every concrete field but the key, `auto_now`
        set as `save()` sets it); the row must be there. The statement is written once per
        model (the ORM's own, compiled the first time), its values converted as the ORM
        converts them.

        `guard` (an optimistic step's, `steps.optimistic_guard`): `where`, columns of the row
        that must still hold these values, and `exists`, rows of other tables (model, its
        columns' values, the key first) that must still be there as given — else the UPDATE
        changes no row (and the step rolls back); a column of `ROW_VERSION_COLUMNS` is
        compared as PostgreSQL gives it (`RowVersions`); `learn`: foreign keys of the row
        whose related row's version the UPDATE returns (those compared column by column).
        The guarded UPDATE goes first among the writes: the row's lock is then taken before
        any other, as the lock's SELECT takes it first.

        `version` (PostgreSQL): the UPDATE returns the row's new version, in the
        `RowVersions` returned once the answer is read; None elsewhere."""
        connection = self._connection
        meta = obj._meta
        fields, placeholders = _columns(type(obj), with_key=False)
        if guard is None and placeholders:
            self.update(
                type(obj), {f.name: f.pre_save(obj, False) for f in fields}, expect=1, pk=obj.pk
            )
            return None
        values = [prep_value(field, field.pre_save(obj, False), connection) for field in fields]
        where: Mapping[str, Any] = guard["where"] if guard else {}
        exists: Sequence[tuple[type[models.Model], Mapping[str, Any]]] = (
            guard["exists"] if guard else ()
        )
        learn: Sequence[tuple[str, type[models.Model]]] = guard.get("learn", ()) if guard else ()
        returns = version and connection.vendor == "postgresql"
        key = (
            type(obj),
            connection.vendor,
            tuple(where),
            tuple((model, tuple(columns)) for model, columns in exists),
            tuple(learn) if returns else None,
        )
        sql = _SAVES.get(key)
        if sql is None:
            sql = _update_statement(meta, fields, where, exists, connection)
            if returns:
                sql = _returning(sql, _version_returned(meta, learn, connection))
            _SAVES[key] = sql
            _PREPARABLE.add(sql)
        params = [*values, meta.pk.get_db_prep_value(obj.pk, connection)]
        params += _guard_values(meta, where, connection)
        for model, columns in exists:
            params += _guard_values(model._meta, columns, connection)
        versions = RowVersions() if returns else None
        reader = versions.reader([name for name, _model in learn]) if versions is not None else None
        statement: _Statement = (sql, tuple(params), reader, 1)
        if guard is None:
            self._statements.append(statement)
        else:
            self._statements.insert(0, statement)
        return versions

    def insert(self, obj: models.Model, *, version: bool = False) -> RowVersions | None:
        """`obj.save()` of a new row; its key, unless set already (`drawn_key`), is set by
        `send()`. `version` (PostgreSQL, a key given): the row's version returned, as by
        `save`."""
        connection = self._connection
        meta = obj._meta
        drawn = obj.pk is not None
        if drawn:
            self._inserted.append(obj)
        fields, placeholders = _columns(type(obj), with_key=drawn)
        if drawn and not placeholders:
            # Its key given: nothing to read back, a statement written once per model.
            returns = version and connection.vendor == "postgresql"
            key = (type(obj), connection.vendor, "insert", returns)
            sql = _SAVES.get(key)
            if sql is None:
                quote = connection.ops.quote_name
                sql = (
                    f"INSERT INTO {quote(meta.db_table)} ("  # noqa: S608
                    + ", ".join(quote(field.column) for field in fields)
                    + ") VALUES ("
                    + ", ".join(["%s"] * len(fields))
                    + ")"
                )
                if returns:
                    sql = _returning(sql, _version_returned(meta, (), connection))
                _SAVES[key] = sql
                _PREPARABLE.add(sql)
            values = tuple(
                prep_value(field, field.pre_save(obj, True), connection) for field in fields
            )
            versions = RowVersions() if returns else None
            reader = versions.reader(()) if versions is not None else None
            self._statements.append((sql, values, reader, None))
            return versions
        query = InsertQuery(type(obj))
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(connection=connection)
        if not drawn:
            compiler.returning_fields = [meta.pk]
        [(sql, params)] = compiler.as_sql()
        self._statements.append((sql, tuple(params), None if drawn else obj, None))
        return None

    def append_events(
        self,
        *,
        case_type: str,
        case_id: str | int,
        entries: Sequence[EventEntry],
        new_case: bool = False,
    ) -> None:
        """`event_append_many` of the step's events, after the writes: on PostgreSQL its
        statement goes in the same message, prepared like the writes (the events must not
        name a key that `send()` has still to set: draw it first, `drawn_key`)."""
        if not entries:
            return
        if self._connection.vendor != "postgresql":
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
        converted = _POSITIONAL.get(sql)
        if converted is None:
            names: list[str] = []

            def positional(match: re.Match[str]) -> str:
                names.append(match[1])
                return "%s"

            converted = _POSITIONAL[sql] = (_NAMED_PARAMETER.sub(positional, sql), tuple(names))
            # One text per `new_case` (its values all typed parameters): prepared as well.
            _PREPARABLE.add(converted[0])
        text, order = converted
        self._statements.append((text, tuple(named[name] for name in order), None, None))

    def send(self, *, commit: bool = False) -> None:
        """Send the writes (and the events). `commit`: the caller's transaction has nothing
        more to do — on PostgreSQL, when it is the outermost one, its COMMIT ends the same
        message (Django's own commit then finds it done) and the rows a write must change
        are checked by the server, so that a stale row stops the message before the
        COMMIT."""
        connection = self._connection
        statements, self._statements = self._statements, []
        events, self._events = self._events, None
        inserted, self._inserted = self._inserted, []
        if commit and _outermost_transaction(connection):
            self._send_and_commit(statements)
        else:
            self._send(statements)
            if events is not None:
                event_append_many(**events)
        for obj in inserted:  # as `save()` leaves a new row (a returned key: `_answered`)
            obj._state.adding = False
            obj._state.db = connection.alias

    def _send_and_commit(self, statements: list[_Statement]) -> None:
        checked: list[_Statement] = [
            (_checked_on_server(sql, expect), params, obj, None)
            if expect is not None
            else (sql, params, obj, None)
            for sql, params, obj, expect in statements
        ]
        for (sql, *_rest), (original, *_same) in zip(checked, statements, strict=True):
            if original in _PREPARABLE:
                _PREPARABLE.add(sql)
        try:
            self._send([*checked, ("COMMIT", (), None, None)])
        except DataError as exc:
            if _STALE in str(exc):
                raise StaleRowError(str(exc)) from exc
            raise

    def _send(self, statements: list[_Statement]) -> None:
        if not statements:
            return
        connection = self._connection
        if connection.vendor == "postgresql":
            raw, names = _prepared_names(connection)
            statements = [
                (_execute_of(sql, raw, names) if sql in _PREPARABLE else sql, params, obj, expect)
                for sql, params, obj, expect in statements
            ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and len(statements) > 1:
                cursor.execute(*_one_message(cursor, statements))
                for n, (sql, _params, obj, expect) in enumerate(statements):
                    if n:
                        cursor.nextset()
                    self._answered(cursor, sql, obj, expect)
                return
            for sql, params, obj, expect in statements:
                cursor.execute(sql, params)
                self._answered(cursor, sql, obj, expect)

    def _answered(self, cursor: Any, sql: str, reader: _Reader, expect: int | None) -> None:
        if expect is not None and cursor.rowcount != expect:
            raise StaleRowError(
                f"a step's write changed {cursor.rowcount} rows instead of {expect}: {sql[:80]}"
            )
        if reader is None:
            return
        row = cursor.fetchone()
        if isinstance(reader, models.Model):
            reader.pk = row[0]
            reader._state.adding = False
            reader._state.db = self._connection.alias
        else:
            reader(row)


# A model's columns a write sets (with its key or without) and whether one of them is written
# through a placeholder of its own (`get_placeholder`: the ORM's compiler then): found once.
_COLUMNS: dict[tuple[type[models.Model], bool], tuple[list[models.Field[Any, Any]], bool]] = {}


def _columns(
    model: type[models.Model], *, with_key: bool
) -> tuple[list[models.Field[Any, Any]], bool]:
    known = _COLUMNS.get((model, with_key))
    if known is None:
        fields = [
            cast(models.Field[Any, Any], field)
            for field in model._meta.local_concrete_fields
            if with_key or not field.primary_key
        ]
        placeholders = any(hasattr(field, "get_placeholder") for field in fields)
        known = _COLUMNS[(model, with_key)] = (fields, placeholders)
    return known


def _update_statement(
    meta: Any,
    fields: Sequence[models.Field[Any, Any]],
    where: Mapping[str, Any],
    exists: Sequence[tuple[type[models.Model], Mapping[str, Any]]],
    connection: BaseDatabaseWrapper,
) -> str:
    """`UPDATE … SET <fields> WHERE <key> = %s`, and the guard's conditions (see `save`)."""
    quote = connection.ops.quote_name

    def same(table_meta: Any, names: Sequence[str], alias: str) -> list[str]:
        return [
            f"{alias}{name} = %s"
            if name in ROW_VERSION_COLUMNS
            else f"{alias}{quote(table_meta.get_field(name).column)} IS NOT DISTINCT FROM %s"
            for name in names
        ]

    conditions = [f"{quote(meta.pk.column)} = %s", *same(meta, list(where), "")]
    for model, columns in exists:
        other = model._meta
        key, *rest = list(columns)
        key_field = cast(models.Field[Any, Any], other.get_field(key))
        inner = [f"g.{quote(key_field.column)} = %s", *same(other, rest, "g.")]
        conditions.append(
            f"EXISTS (SELECT 1 FROM {quote(other.db_table)} g WHERE "  # noqa: S608
            + " AND ".join(inner)
            + ")"
        )
    # Identifiers of the models only: the values go as parameters.
    return (
        f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608
        + ", ".join(f"{quote(field.column)} = %s" for field in fields)
        + " WHERE "
        + " AND ".join(conditions)
    )


def _guard_values(
    meta: Any, columns: Mapping[str, Any], connection: BaseDatabaseWrapper
) -> list[Any]:
    return [
        value
        if name in ROW_VERSION_COLUMNS
        else prep_value(meta.get_field(name), value, connection, save=False)
        for name, value in columns.items()
    ]


def _one_message(cursor: Any, statements: list[_Statement]) -> tuple[str, list[Any] | None]:
    """The statements as one message (PostgreSQL): with psycopg's client-side binding, each
    statement merged with its values client-side, the message then sent as it is. An
    `EXECUTE` of `prepared` is written here — its head, then each value as psycopg's own
    literal of it (`Transformer.as_literal` of the connection's adapters, what `mogrify`
    puts in its place; an aware `datetime` by `_stamp`) — without `mogrify`'s work around
    it (the text encoded and its parse looked up — not cached at all beyond 50 values —,
    the values checked and reordered in Python, the result decoded): a third less CPU.
    Any other statement by `mogrify`. The same text as `mogrify` of each
    (`test_step_statements.py`). Without client-side binding, the texts joined and the
    values in order."""
    raw = cursor.cursor
    mogrify = getattr(raw, "mogrify", None)
    if mogrify is None:
        return (
            ";\n".join(sql for sql, *_rest in statements),
            [p for _sql, params, *_rest in statements for p in params],
        )
    known = _TRANSFORMERS.get(raw.connection)
    if known is None:
        from psycopg.adapt import Transformer

        known = _TRANSFORMERS[raw.connection] = (
            Transformer.from_context(raw.connection),
            raw.connection.info.encoding,
        )
    transformer, encoding = known
    literal = transformer.as_literal
    parts: list[bytes] = []
    for sql, params, *_rest in statements:
        head, count = _HEADS.get(sql, (b"", -1))
        if count != len(params):
            # Without values and placeholders (COMMIT, an EXECUTE without parameters),
            # `mogrify` gives the text itself.
            no_values = not params and "%" not in sql
            parts.append(
                sql.encode(encoding) if no_values else mogrify(sql, params).encode(encoding)
            )
            continue
        values = b", ".join(
            [
                b"NULL"
                if value is None
                else _stamp(value)
                if type(value) is datetime and value.utcoffset() is not None
                else literal(value)
                for value in params
            ]
        )
        parts.append(head + values + b")")
    return b";\n".join(parts).decode(encoding), None


def _stamp(value: datetime) -> bytes:
    """psycopg's literal of an aware `datetime` (its text, `str()`, cast to timestamptz),
    written at half its cost — a step's message holds a dozen."""
    return b"'%s'::timestamptz" % str(value).encode()


def _outermost_transaction(connection: BaseDatabaseWrapper) -> bool:
    """Inside the outermost `atomic` block (no savepoint under it), nothing to roll back."""
    return (
        connection.vendor == "postgresql"
        and connection.in_atomic_block
        and connection.commit_on_exit
        and not connection.savepoint_ids
        and not connection.needs_rollback
    )


_CHECKED: dict[tuple[str, int], str] = {}


def _checked_on_server(sql: str, expect: int) -> str:
    """The write as a statement that fails (and so stops the message) unless it changed
    `expect` rows; a write that returns values (`_returning`) returns them still, first."""
    checked = _CHECKED.get((sql, expect))
    if checked is not None:
        return checked
    body, returned = _RETURNING.get(sql, (sql, ()))
    names = [f"r{n}" for n in range(len(returned))]
    inner = ", ".join(f"{value} AS {name}" for value, name in zip(returned, names, strict=True))
    # An int and a constant around the ORM's own compiled statement: nothing from outside.
    checked = _CHECKED[(sql, expect)] = (
        f"WITH changed AS ({body} RETURNING {inner or '1'}) SELECT "  # noqa: S608
        + "".join(f"max({name}), " for name in names)
        + f"CAST(CASE WHEN count(*) = {int(expect)} THEN '0' ELSE '{_STALE}' END "
        "AS integer) FROM changed"
    )
    return checked


def _version_returned(
    meta: Any, learn: Sequence[tuple[str, type[models.Model]]], connection: BaseDatabaseWrapper
) -> list[str]:
    """What a write returns of its row's version and of the related rows' (`RowVersions`)."""
    quote = connection.ops.quote_name
    returned = ["xmin::text", "ctid::text"]
    for name, model in learn:
        column = quote(meta.get_field(name).column)
        # Identifiers of the models only.
        returned.append(
            f"(SELECT ARRAY[g.xmin::text, g.ctid::text] FROM {quote(model._meta.db_table)} g "  # noqa: S608
            f"WHERE g.{quote(model._meta.pk.column)} = {quote(meta.db_table)}.{column})"
        )
    return returned


def _returning(sql: str, returned: Sequence[str]) -> str:
    """`sql … RETURNING <returned>`, known to `_checked_on_server`."""
    text = f"{sql} RETURNING {', '.join(returned)}"
    _RETURNING[text] = (sql, tuple(returned))
    return text


def prepared(sql: str, connection: BaseDatabaseWrapper | None = None) -> str:
    """On PostgreSQL, `sql` (written once per process, each parameter where a column's type
    is its type) as the EXECUTE of a statement prepared on this connection the first time
    (`PREPARE` by the driver itself, outside Django's query log; it outlives a rollback, as
    PostgreSQL's prepared statements do): the server plans it once instead of every step.
    The parameters stay the same, in the same order. `connection`: the default database's
    wrapper when the caller holds it already (else looked up)."""
    if connection is None:
        connection = _db()
    if connection.vendor != "postgresql":
        return sql
    return _execute_of(sql, *_prepared_names(connection))


def _prepared_names(connection: BaseDatabaseWrapper) -> tuple[Any, set[str]]:
    """The driver's connection (made if there is none yet) and the names of the statements
    prepared on it (`prepared`; once for all the statements of a message, `_send`)."""
    connection.ensure_connection()
    raw = connection.connection
    names = _PREPARED.get(raw)
    if names is None:
        names = _PREPARED[raw] = set()
    return raw, names


def _execute_of(sql: str, raw: Any, names: set[str]) -> str:
    """`prepared`'s EXECUTE of `sql` on the driver's connection `raw`."""
    known = _NAMES.get(sql)
    if known is None:
        name = "gw_" + hashlib.blake2b(sql.encode(), digest_size=10).hexdigest()
        count = sql.count("%s")
        execute = (
            f"EXECUTE {name}(" + ", ".join(["%s"] * count) + ")" if count else f"EXECUTE {name}"
        )
        known = _NAMES[sql] = (name, execute, count)
        if count:
            _HEADS[execute] = (f"EXECUTE {name}(".encode(), count)
    name, execute, count = known
    if name not in names:
        numbers = iter(range(1, count + 1))
        body = _PLACEHOLDER.sub(lambda m: f"${next(numbers)}" if m[0] == "%s" else "%", sql)
        from psycopg.pq import TransactionStatus

        # Outside any transaction when none has begun on the server (psycopg would send a
        # BEGIN of its own first): the next statement still carries the BEGIN.
        idle = raw.info.transaction_status == TransactionStatus.IDLE and not raw.autocommit
        with raw.cursor() as cursor:
            if idle:
                raw.autocommit = True
            try:
                cursor.execute(f"PREPARE {name} AS {body}")
            finally:
                if idle:
                    raw.autocommit = False
        names.add(name)
        _SOURCES[name] = sql
    return execute


def readable(sql: str) -> str:
    """A statement sent (as logged) with each `EXECUTE` of a prepared statement replaced by
    that statement's text: what tests and people read."""
    return _EXECUTE.sub(lambda match: _SOURCES.get(match[1], match[0]), sql)


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
    connection = _db()
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
