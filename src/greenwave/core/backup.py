"""Backup and restore of the database and the uploaded files (`manage.py backup` / `restore`).

A backup is a directory:

- `manifest.json` — format, database vendor, time, the latest migration of each app, counts;
- `database.dump` (PostgreSQL: `pg_dump --format=custom`) or `database.sqlite3` (SQLite: the
  online backup API, a consistent copy of a live database);
- `media.tar.gz` — every file of the default storage (deal documents, call recordings…), read
  through the storage API, so it works for the file system and any other storage alike.

`restore` puts both back. It refuses a database that has tables or a storage that has files
unless told `force`, which first drops every table (on PostgreSQL also the functions of
the schema that no extension owns: the triggers' functions) and deletes every stored file.
"""

from __future__ import annotations

import io
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
MEDIA_FILE = "media.tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- the uploaded files -------------------------------------------------------------------


def stored_files(storage: Storage | None = None, path: str = "") -> Iterator[str]:
    """Every file name of the storage, recursively."""
    storage = storage or default_storage
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:  # a file system storage whose MEDIA_ROOT does not exist yet
        return
    for name in sorted(files):
        yield posixpath.join(path, name) if path else name
    for directory in sorted(directories):
        yield from stored_files(storage, posixpath.join(path, directory) if path else directory)


def _media_pack(target: Path) -> int:
    count = 0
    with tarfile.open(target, "w:gz") as tar:
        for name in stored_files():
            with default_storage.open(name, "rb") as handle:
                data = handle.read()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            count += 1
    return count


def _media_unpack(source: Path) -> int:
    count = 0
    with tarfile.open(source, "r:gz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            name = member.name
            if name.startswith("/") or ".." in name.split("/"):
                raise BackupError(f"{source}: the file name {name!r} leaves the storage.")
            handle = tar.extractfile(member)
            assert handle is not None
            saved = default_storage.save(name, File(handle, name=posixpath.basename(name)))
            if saved != name:
                raise BackupError(f"The file {name!r} was stored as {saved!r}.")
            count += 1
    return count


# --- the database -------------------------------------------------------------------------


def _pg_command(program: str) -> tuple[list[str], dict[str, str]]:
    binary = shutil.which(program)
    if binary is None:
        raise BackupError(
            f"{program} is not installed: install the PostgreSQL client of the server's "
            "version (Debian: apt install postgresql-client)."
        )
    settings = connection.settings_dict
    args = [binary]
    if settings.get("HOST"):
        args += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", str(settings["USER"])]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    sslmode = (settings.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _database_dump(out: Path) -> str:
    if connection.vendor == "postgresql":
        args, env = _pg_command("pg_dump")
        name = str(connection.settings_dict["NAME"])
        target = out / PG_DUMP_FILE
        options = ["--format=custom", "--no-owner", "--no-privileges", "--file", str(target)]
        _run([*args, *options, "--dbname", name], env)
        return PG_DUMP_FILE
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(out / SQLITE_FILE)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return SQLITE_FILE
    raise BackupError(f"Backups of a {connection.vendor} database are not supported.")


# The functions of the current schema that migrations made (the triggers' functions of
# crm's sort keys): those an extension owns stay.
_OWN_FUNCTIONS = """
    SELECT p.oid::regprocedure::text FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = current_schema()
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
"""


def _drop_tables(tables: list[str]) -> None:
    """Drop the tables and, on PostgreSQL, the schema's own functions: a dump restores both."""
    quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if tables:
                cursor.execute(f"DROP TABLE IF EXISTS {quoted} CASCADE")
            cursor.execute(_OWN_FUNCTIONS)
            for (function,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
            return
        cursor.execute("PRAGMA foreign_keys = OFF")
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")
        cursor.execute("PRAGMA foreign_keys = ON")


def _database_load(source: Path, manifest: dict[str, Any]) -> None:
    if connection.vendor == "postgresql":
        args, env = _pg_command("pg_restore")
        name = str(connection.settings_dict["NAME"])
        connection.close()  # no session of ours holds a lock the restore would wait for
        options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        _run([*args, *options, "--dbname", name, str(source / manifest["database"])], env)
        return
    connection.ensure_connection()
    backup = sqlite3.connect(source / manifest["database"])
    try:
        backup.backup(connection.connection)
    finally:
        backup.close()


# --- the commands -------------------------------------------------------------------------


def _latest_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def backup(out: Path) -> dict[str, Any]:
    """Write a backup of the database and the uploaded files into the directory `out`."""
    if (out / MANIFEST).exists():
        raise BackupError(f"{out} already holds a backup: choose a new directory.")
    out.mkdir(parents=True, exist_ok=True)
    database = _database_dump(out)
    files = _media_pack(out / MEDIA_FILE)
    manifest = {
        "format": FORMAT,
        "vendor": connection.vendor,
        "created_at": timezone.now().isoformat(),
        "database": database,
        "media": MEDIA_FILE,
        "files": files,
        "migrations": _latest_migrations(),
    }
    # The manifest is written last: a directory without it is an unfinished backup.
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(
            f"{source} holds no {MANIFEST}: it is not a finished Greenwave backup."
        ) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: backup format {manifest.get('format')!r} is not known.")
    return manifest


def restore(source: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore the database and the uploaded files from the backup directory `source`."""
    manifest = read_manifest(source)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"This is a {manifest['vendor']} backup and the database is {connection.vendor}: "
            "restore it into the same kind of database."
        )
    if connection.in_atomic_block:
        raise BackupError("Restore runs outside a transaction.")
    tables = connection.introspection.table_names()
    files = list(stored_files())
    if (tables or files) and not force:
        raise BackupError(
            f"The target is not empty: the database has {len(tables)} tables and the storage "
            f"{len(files)} files. Restore into an empty database and storage, or add --force "
            "to drop those tables and delete those files first."
        )
    _drop_tables(tables)  # an empty target may still hold the functions of an earlier one
    for name in files:
        default_storage.delete(name)
    _database_load(source, manifest)
    restored = _media_unpack(source / manifest["media"])
    ContentType.objects.clear_cache()
    return {**manifest, "restored_files": restored}
