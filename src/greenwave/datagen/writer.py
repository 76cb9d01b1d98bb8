"""Bulk paths into the database: PostgreSQL `COPY … FROM STDIN`, elsewhere `bulk_create`.

Rows are dicts keyed by column attribute names (`company_id`, not `company`) with explicit
ids, so the generator links rows to each other without reading anything back. A column the
generator does not give takes the field's default, computed once per table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Max

Row = Mapping[str, Any]


def _default(field: models.Field[Any, Any]) -> Any:
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    return ""


class TableWriter:
    """Writes rows of one model; PostgreSQL by COPY, other databases by `bulk_create`."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        self.defaults = {f.attname: _default(f) for f in self.fields}
        self.json_attrs = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.copy_sql = 'COPY "{}" ({}) FROM STDIN'.format(
            model._meta.db_table, ", ".join(f'"{c}"' for c in self.columns)
        )
        self.rows_written = 0

    def next_id(self) -> int:
        return int(self.model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1

    def write(self, rows: Iterable[Row]) -> int:
        postgres = connection.vendor == "postgresql"
        count = self._copy(rows) if postgres else self._bulk_create(rows)
        self.rows_written += count
        return count

    def _values(self, row: Row) -> list[Any]:
        defaults = self.defaults
        values = [row.get(name, defaults[name]) for name in self.attnames]
        return values

    def _copy(self, rows: Iterable[Row]) -> int:
        json_index = [i for i, a in enumerate(self.attnames) if a in self.json_attrs]
        count = 0
        with connection.cursor() as wrapper:
            raw = wrapper.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(self.copy_sql) as copy:
                for row in rows:
                    values = self._values(row)
                    for i in json_index:
                        values[i] = json.dumps(values[i], ensure_ascii=False)
                    copy.write_row(values)
                    count += 1
        return count

    def update(self, rows: Sequence[Row]) -> int:
        """Set some columns of rows already written (every row has the same keys, one `id`).
        PostgreSQL: COPY into a temporary table and one UPDATE … FROM; elsewhere
        `bulk_update`."""
        if not rows:
            return 0
        names = [n for n in rows[0] if n != "id"]
        fields = [self.model._meta.get_field(n.removesuffix("_id")) for n in names]
        if connection.vendor != "postgresql":
            objects = [self.model(**r) for r in rows]
            self.model._default_manager.bulk_update(
                objects, [f.name for f in fields], batch_size=500
            )
            return len(objects)
        # Identifiers only from the model's metadata, never from data.
        table = self.model._meta.db_table
        columns = [f.column for f in fields]  # type: ignore[union-attr]
        listed = ", ".join(f'"{c}"' for c in ["id", *columns])
        assignments = ", ".join(f'"{c}" = u."{c}"' for c in columns)
        create = (
            f'CREATE TEMP TABLE "datagen_update" AS SELECT {listed} FROM "{table}" WITH NO DATA'  # noqa: S608
        )
        update = (
            f'UPDATE "{table}" t SET {assignments} FROM "datagen_update" u WHERE t."id" = u."id"'  # noqa: S608
        )
        with connection.cursor() as wrapper:
            raw = wrapper.cursor
            raw.execute(create)
            with raw.copy(f'COPY "datagen_update" ({listed}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([row["id"], *(row[n] for n in names)])
            raw.execute(update)
            raw.execute('DROP TABLE "datagen_update"')
        return len(rows)

    def _bulk_create(self, rows: Iterable[Row]) -> int:
        objects = [
            self.model(**dict(zip(self.attnames, self._values(r), strict=True))) for r in rows
        ]
        self.model._default_manager.bulk_create(objects, batch_size=500)
        return len(objects)


def reset_sequences(model_list: Iterable[type[models.Model]]) -> None:
    """After explicit ids, move PostgreSQL's id sequences past them (no-op elsewhere) — and
    never back: a key the sequence handed out before may still be held unused (a
    connection's block of keys, `bpm.stepwrites`), so a sequence moved below it would give
    it again. Django's `sequence_reset_sql` sets the sequence to the table's largest id,
    lower than before when rows were deleted."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in model_list:
            for field in model._meta.local_fields:
                if isinstance(field, models.AutoField):
                    cursor.execute(
                        _SEQUENCE_FORWARD % (quote(field.column), quote(model._meta.db_table)),
                        [quote(model._meta.db_table), field.column],
                    )
                    break


# The largest of the table's ids and the sequence's last value (NULL before its first
# `nextval`); `setval(…, 1, false)` when neither exists, as Django's reset does.
_SEQUENCE_FORWARD = """
SELECT setval(s.seq, GREATEST(m.top, pg_sequence_last_value(s.seq::regclass), 1),
    COALESCE(m.top, pg_sequence_last_value(s.seq::regclass)) IS NOT NULL)
FROM (SELECT pg_get_serial_sequence(%%s, %%s) AS seq) s, (SELECT max(%s) AS top FROM %s) m
"""
