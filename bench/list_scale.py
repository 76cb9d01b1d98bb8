"""Do the list pages cost the same at 1 000 and at 100 000 rows? (issue #23, points 2 and 3b)

`.venv/bin/python bench/list_scale.py [--runs 25] [--rows 1000 100000] [--keep]`

For each row count, a PostgreSQL database of its own (`greenwave_listscale_<rows>`, made
from a migrated template the first time, then reused) holds that many companies, contacts
and deals, all of one closer of one team (so they see every row). Django's test client,
in this process and with the production settings, asks each API list
(`/api/v1/contacts`, `/companies`, `/deals`) and the HTML contact and deal lists for page 1
in each offered sort (the default first), with `CONN_MAX_AGE` 0 (a new connection per
request: connect, request, close are timed) and persistent (one connection kept). The
figures are medians of `--runs` requests after two warm-up ones: the process CPU time
(client and server are this process), the wall time, the time spent inside SQL statements
(wall, measured around each by `execute_wrapper`) and the statements a request runs, with
the ratio 100k/1k of each. It reads only, once the data is there (and issues a token).
`--explain /api/v1/contacts …` prints the server-side cost of each list statement instead;
`--only "contacts sort=company" …` measures only the pages whose label contains one of the
texts. `LIST_SCALE_SRC=<checkout>/src` runs another checkout's code on the same databases.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SERVER_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
TEMPLATE = "greenwave_listscale_template"
USERNAME = "scale_closer"


def _admin(sql: str, *params: Any) -> Any:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        cursor = conn.execute(sql, params or None)
        return cursor.fetchall() if sql.startswith("SELECT") else None


def _exists(name: str) -> bool:
    return bool(_admin("SELECT 1 FROM pg_database WHERE datname = %s", name))


def _setup_django(name: str) -> None:
    sys.path.insert(0, os.environ.get("LIST_SCALE_SRC", str(ROOT / "src")))
    os.environ["DATABASE_URL"] = f"{SERVER_URL}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenwave.config.settings.prod")
    os.environ.setdefault("SECRET_KEY", "list-scale-bench-" + "x" * 40)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    # The manifest needs `collectstatic`; the static tag's lookup is not what is measured.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _use(name: str) -> None:
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = name


def _ensure_template() -> None:
    if _exists(TEMPLATE):
        return
    _admin(f'CREATE DATABASE "{TEMPLATE}"')
    _use(TEMPLATE)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connections

    connections.close_all()


def _fill(rows: int) -> None:
    """One team, one closer, `rows` companies, contacts (one per company) and deals."""
    from django.utils import timezone

    from greenwave.accounts import services as accounts
    from greenwave.crm.models import Company, Contact
    from greenwave.sales.models import Deal, Stage

    team = accounts.team_create(actor=None, name="Scale")
    user = accounts.user_create(
        actor=None, username=USERNAME, password="x" * 16, roles=["closer"], team=team
    )
    stage = Stage.objects.select_related("pipeline").order_by("pipeline_id", "order").first()
    assert stage is not None
    now = timezone.now()
    batch = 5_000
    for start in range(0, rows, batch):
        ids = range(start, min(start + batch, rows))
        companies = Company.objects.bulk_create(
            Company(name=f"Компания {i:06d}", region=f"Р{i % 80}", responsible=user, team=team)
            for i in ids
        )
        contacts = Contact.objects.bulk_create(
            Contact(
                full_name=f"Контакт {(i * 7919) % rows:06d}",
                company=c,
                phones=[f"+7495{i:07d}"],
                responsible=user,
                team=team,
            )
            for i, c in zip(ids, companies, strict=True)
        )
        deals = Deal.objects.bulk_create(
            Deal(
                title=f"Сделка {(i * 104729) % rows:06d}",
                pipeline=stage.pipeline,
                stage=stage,
                company=c,
                amount=Decimal((i * 37) % 100_000),
                expected_close_date=(now + timedelta(days=i % 365)).date(),
                stage_entered_at=now,
                responsible=user,
                team=team,
            )
            for i, c in zip(ids, companies, strict=True)
        )
        Deal.contacts.through.objects.bulk_create(
            Deal.contacts.through(deal_id=d.pk, contact_id=c.pk)
            for d, c in zip(deals, contacts, strict=True)
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def ensure(rows: int) -> str:
    name = f"greenwave_listscale_{rows}"
    if not _exists(name):
        _ensure_template()
        from django.db import connections

        connections.close_all()
        _admin(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
        _use(name)
        started = time.perf_counter()
        _fill(rows)
        print(f"filled {name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    _use(name)
    return name


def _requests() -> list[tuple[str, str, dict[str, str], bool]]:
    """(label, path, params, is_api) of every page measured."""
    from django.urls import reverse

    from greenwave.crm.selectors import COMPANY_LIST_SPEC, CONTACT_LIST_SPEC
    from greenwave.sales.selectors import DEAL_LIST_SPEC

    out: list[tuple[str, str, dict[str, str], bool]] = []
    lists = (
        ("api contacts", "/api/v1/contacts", CONTACT_LIST_SPEC, True),
        ("api companies", "/api/v1/companies", COMPANY_LIST_SPEC, True),
        ("api deals", "/api/v1/deals", DEAL_LIST_SPEC, True),
        ("html contacts", reverse("crm:contact_list"), CONTACT_LIST_SPEC, False),
        ("html deals", reverse("sales:deal_list"), DEAL_LIST_SPEC, False),
    )
    for label, path, spec, is_api in lists:
        keys = [s.key for s in spec.sorts]
        default = spec.default_sort or keys[0]
        sorts = [default] + [k for k in keys if k != default.lstrip("-")]
        out.extend((f"{label} sort={sort}", path, {"sort": sort}, is_api) for sort in sorts)
    return out


def _time(client: Any, path: str, params: dict[str, str], runs: int, persistent: bool) -> Any:
    """Medians of (process CPU ms, wall ms, ms inside SQL statements, statements) per request."""
    from django.db import connection, connections

    sql_ms = [0.0]
    statements = [0]

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_ms[0] += (time.perf_counter() - started) * 1000
            statements[0] += 1

    samples: list[tuple[float, float, float, int]] = []
    for i in range(runs + 2):
        sql_ms[0], statements[0] = 0.0, 0
        w0, c0 = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(timed):
            response = client.get(path, params)
        if not persistent:
            connections.close_all()
        if i >= 2:
            samples.append(
                (
                    (time.process_time() - c0) * 1000,
                    (time.perf_counter() - w0) * 1000,
                    sql_ms[0],
                    statements[0],
                )
            )
        assert response.status_code == 200, (path, params, response.status_code)
    return tuple(statistics.median(column) for column in zip(*samples, strict=True))


def measure(runs: int, only: list[str] | None = None) -> dict[tuple[str, str], Any]:
    from django.test import Client

    from greenwave.accounts.models import User
    from greenwave.accounts.services import token_issue

    user = User.objects.get(username=USERNAME)
    _token, raw = token_issue(actor=None, user=user, name="bench")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    html = Client()
    html.force_login(user)
    results: dict[tuple[str, str], Any] = {}
    for label, path, params, is_api in _requests():
        if only and not any(text in label for text in only):
            continue
        for mode, persistent in (("persistent", True), ("max_age 0", False)):
            client = api if is_api else html
            results[(label, mode)] = _time(client, path, params, runs, persistent)
    return results


def explain(paths: list[str]) -> None:
    """`--explain`: each statement of the API lists but the token's and the roles' (the
    page, the count…), run again under `EXPLAIN (ANALYZE, BUFFERS)`: the server's execution
    time and the blocks it touched — the load of the machine moves the first, never the
    second."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from greenwave.accounts.models import User
    from greenwave.accounts.services import token_issue

    _token, raw = token_issue(actor=None, user=User.objects.get(username=USERNAME), name="x")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    for path in paths:
        api.get(path)
        with CaptureQueriesContext(connection) as queries:
            api.get(path)
        figures = []
        for query in queries.captured_queries:
            if any(t in query["sql"] for t in ('"accounts_apitoken"', '"accounts_role"')):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query["sql"])
                plan = cursor.fetchone()[0][0]
            blocks = plan["Plan"].get("Shared Hit Blocks", 0) + plan["Plan"].get(
                "Shared Read Blocks", 0
            )
            figures.append(f"{plan['Execution Time']:.2f} ms / {blocks} blocks")
        print(f"| {connection.settings_dict['NAME']} | {path} | {'; '.join(figures)} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--explain", nargs="+", metavar="PATH", help="API paths to explain")
    parser.add_argument("--only", nargs="+", metavar="TEXT", help="pages whose label has TEXT")
    args = parser.parse_args()
    _setup_django(TEMPLATE)
    if args.explain:
        for rows in args.rows:
            ensure(rows)
            explain(args.explain)
        return 0
    measured: dict[int, Any] = {}
    for rows in args.rows:
        ensure(rows)
        measured[rows] = measure(args.runs, args.only)
    small, big = args.rows[0], args.rows[-1]
    print(
        f"| page 1 | connection | CPU ms {small} / {big} (ratio) | wall ms {small} / {big} (ratio)"
        f" | SQL ms {small} / {big} (ratio) | statements |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for key, figures in measured[small].items():
        cells = [
            f"{a:.1f} / {b:.1f} ({b / a:.2f})"
            for a, b in zip(figures[:3], measured[big][key][:3], strict=True)
        ]
        stmts = f"{figures[3]:.0f} / {measured[big][key][3]:.0f}"
        print(f"| {key[0]} | {key[1]} | {' | '.join(cells)} | {stmts} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
