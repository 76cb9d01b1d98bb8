"""Health checks for `/healthz`: the database answers and the job queue is reachable."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_queue() -> str:
    backend = str(settings.TASKS["default"]["BACKEND"])
    if backend.startswith("django_tasks_rq"):
        import django_rq

        django_rq.get_connection("default").ping()
        return "ok (redis)"
    if backend.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()
        return "ok (database)"
    return f"ok ({backend.rsplit('.', 1)[-1]})"


def health_report() -> tuple[bool, dict[str, str]]:
    report: dict[str, str] = {}
    healthy = True
    for name, check in (("database", check_database), ("queue", check_queue)):
        try:
            report[name] = check()
        except Exception as exc:
            healthy = False
            report[name] = f"error: {type(exc).__name__}"
    return healthy, report
