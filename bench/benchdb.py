"""The benchmark database: a PostgreSQL database of its own, generated once per parameters.

`ensure(deals=…, seed=…)` creates the database if absent, migrates it, and generates the
dataset unless a record of the same generation by the same generator version
(`GENERATOR_VERSION`) is already there (then it is reused). A database holding another, an
older generator's or an unfinished generation is dropped and made again.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def database_name(deals: int) -> str:
    return os.environ.get("BENCH_DB", f"greenwave_bench_{deals}")


def database_url(deals: int) -> str:
    return f"{SERVER_URL}/{database_name(deals)}"


def setup_django(deals: int) -> None:
    """Point Django at the benchmark database (before anything imports the ORM)."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DATABASE_URL"] = database_url(deals)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenwave.config.settings.dev")
    os.environ["DEBUG"] = "false"  # no query log in memory while timing
    import django

    django.setup()


def _admin_connect():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True)


def _recreate(name: str) -> None:
    with _admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _exists(name: str) -> bool:
    with _admin_connect() as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def ensure(*, deals: int, seed: int, events_per_deal: int | None, log=print) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """Make sure the generated dataset is there; returns its generation record's payload."""
    name = database_name(deals)
    fresh = not _exists(name)
    if fresh:
        _recreate(name)
    setup_django(deals)
    from django.core.management import call_command
    from django.db import connection

    from greenwave.datagen.generator import GENERATOR_VERSION, Config
    from greenwave.datagen.loader import dataset_record, generate_into_database

    call_command("migrate", verbosity=0)
    record = dataset_record(deals=deals, seed=seed, events_per_deal=events_per_deal)
    if record is not None:
        log(f"dataset: reusing {name} ({record.payload['counts'].get('core.event')} events)")
        return dict(record.payload)
    from greenwave.accounts.models import User

    if User.objects.filter(username__startswith="gen_").exists():
        log(
            f"dataset: {name} holds another generation (other parameters or an older "
            f"generator than version {GENERATOR_VERSION}); recreating it"
        )
        connection.close()
        _recreate(name)
        call_command("migrate", verbosity=0)
    started = time.monotonic()
    log(f"dataset: generating {deals} deals into {name} …")
    generate_into_database(
        Config(deals=deals, seed=seed, events_per_deal=events_per_deal),
        progress=lambda m: log(f"  [{time.monotonic() - started:6.1f}s] {m}"),
    )
    record = dataset_record(deals=deals, seed=seed, events_per_deal=events_per_deal)
    assert record is not None
    return dict(record.payload)
