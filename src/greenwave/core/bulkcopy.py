"""Bulk writes by PostgreSQL `COPY … FROM STDIN` for the rows of one transaction (an import):
ids reserved from the table's own sequence first, so that the rows can be referred to
(events of the rows, objects of those events) without reading them back.

PostgreSQL only: callers keep a `bulk_create` path for SQLite (`supported()`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from psycopg import Cursor as BinaryCursor

# The event log's columns as its COPY writers send them (`core.services`' stream of created
# records' events and the contact import's): an event row, then each of its object links.
EVENT_COLUMNS = (
    "id",
    "case_type",
    "case_id",
    "activity",
    "timestamp",
    "actor_id",
    "payload",
    "prev_activity",
    "prev_timestamp",
)
EVENT_OBJECT_COLUMNS = ("event_id", "object_type", "object_id", "qualifier")


def supported() -> bool:
    return connection.vendor == "postgresql"


def read_bytes(sql: str, params: Sequence[Any]) -> bytes | None:
    """The first column of the query's first row (a `bytea`; None without a row). On
    PostgreSQL it comes in the binary format, by a cursor of its own on the connection (in
    its transaction): Django's client-side cursors take the text format, whose hex is twice
    the value's size and is held by the client beside the bytes decoded from it (~45 MB
    at the peak for a 15 MB upload, against 30 MB)."""
    if not supported():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return None if row is None else bytes(row[0])
    connection.ensure_connection()
    with BinaryCursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        row = cursor.fetchone()
    return None if row is None else row[0]


def write_bytes(model: type[models.Model], column: str, pk: int, value: bytes) -> None:
    """Set the `bytea` column of `model`'s row `pk`. On PostgreSQL the value goes as a binary
    parameter, by a cursor of its own on the connection (in its transaction): Django's
    client-side cursors send it as an escaped literal inside the statement's text, several
    times its size at the peak (~29 MB of the worker for a 4.4 MB value)."""
    quote = connection.ops.quote_name
    sql = f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %s WHERE id = %s"  # noqa: S608
    if not supported():
        with connection.cursor() as cursor:
            cursor.execute(sql, [value, pk])
        return
    connection.ensure_connection()
    with BinaryCursor(connection.connection) as cursor:
        cursor.execute(sql.replace("= %s WHERE", "= %b WHERE"), [value, pk])


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys of `model`'s table, drawn from its id sequence (in order)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    # One row back, not `count`: the range when the ids drawn are consecutive (the rule;
    # another session drawing at the same time, or a sequence's CACHE, can interleave), else
    # the ids themselves. The sequence is looked up once, not per id: its name cast to
    # `regclass` in a subquery fenced by `OFFSET 0` (flattened, the text → regclass cast of
    # `nextval(text)` ran a catalog lookup for every id: ~35 ms for 5 000 ids against ~2 ms).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(pk), max(pk), CASE WHEN max(pk) - min(pk) + 1 = count(*) THEN NULL "
            "ELSE array_agg(pk ORDER BY pk) END FROM (SELECT nextval(s.seq) AS pk "
            "FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq OFFSET 0) s, "
            "generate_series(1, %s)) drawn",
            [connection.ops.quote_name(table), count],
        )
        first, last, scattered = cursor.fetchone()
    if scattered is not None:
        return [int(pk) for pk in scattered]
    return list(range(int(first), int(last) + 1))


def copy_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write `rows` (values in the order of `columns`, JSON columns as JSON text) into
    `model`'s table by one `COPY`. Returns how many rows it wrote."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    written = 0
    with connection.cursor() as wrapper, wrapper.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def copy_text(
    model: type[models.Model], columns: Sequence[str], lines: Iterable[str], *, batch: int = 1000
) -> None:
    """Write rows already in `COPY`'s text format (`lines`: each a row's fields escaped —
    `copy_field` — separated by tabs, ending with a newline) into `model`'s table by one
    `COPY`, `batch` lines a write: ~0.3 µs a row against ~4 µs for `copy_rows`' `write_row`."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    stream = iter(lines)
    with connection.cursor() as wrapper, wrapper.cursor.copy(sql) as copy:
        while part := "".join(itertools.islice(stream, batch)):
            copy.write(part)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value: str) -> str:
    """A string as a field of `COPY`'s text format (`copy_text`): its backslashes, tabs and
    line ends escaped (a NUL cannot be in a PostgreSQL text)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def text_array(values: Iterable[str]) -> str:
    """A PostgreSQL array literal of strings (every element quoted, so that none reads as
    NULL), for a `%s::text[]` parameter: psycopg's list dumper adapts the elements one by one
    in Python (~8 ms for 5 000 phones against ~1 ms for this text)."""
    items = list(values)
    joined = '","'.join(items)
    # the separators hold 2 (n - 1) quotes: any other is a value's
    if "\\" in joined or joined.count('"') != 2 * (len(items) - 1):
        joined = '","'.join(v.replace("\\", "\\\\").replace('"', '\\"') for v in items)
    return '{"' + joined + '"}' if items else "{}"
