"""Column compression on PostgreSQL, for migrations: lz4 instead of the default pglz for a
column whose large values are written whole (an uploaded file; `bpm` 0005 does the same for
the engine's saved state with its own copy of this)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def column_compression(table: str, column: str, method: str) -> Callable[[Any, Any], None]:
    """A `RunPython` function that sets `table.column`'s compression to `method` ("lz4",
    "pglz" or "default") on PostgreSQL 14 or later built with it; nothing elsewhere (a server
    without lz4 keeps pglz). Only values written afterwards use it: older ones read as they
    are (a column holds both). `table`, `column`, `method`: constants of the migration."""

    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            "DO $$ BEGIN "
            "IF current_setting('server_version_num')::int >= 140000 THEN "
            f"EXECUTE 'ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}'; "
            "END IF; "
            "EXCEPTION WHEN feature_not_supported THEN NULL; "
            "END $$"
        )

    return run
