"""`manage.py mining_export --format F --out PATH [filters]`: the mined log as XES or OCEL 2.0,
written as it streams (bounded memory), read as the given user (an administrator by default).
`--case-type all`: one OCEL 2.0 log of every case type with object-to-object relations."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError
from greenwave.mining.export import ALL, FORMATS, export, export_all
from greenwave.mining.log import case_log


class Command(BaseCommand):
    help = "Export the event log of a case type as XES or OCEL 2.0 (JSON or XML)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--out", required=True, help="file to write ('-' for stdout)")
        parser.add_argument("--case-type", default="deal", help=f"or '{ALL}' (OCEL 2.0 only)")
        parser.add_argument("--pipeline", type=int)
        parser.add_argument("--process", default="")
        parser.add_argument("--from", dest="date_from", type=date.fromisoformat)
        parser.add_argument("--to", dest="date_to", type=date.fromisoformat)
        parser.add_argument("--team", type=int)
        parser.add_argument("--user", type=int)
        parser.add_argument("--as", dest="username", help="read as this user (default: an admin)")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        actor = (
            User.objects.filter(username=username).first()
            if username
            else User.objects.filter(roles__code="admin", is_active=True).order_by("pk").first()
        )
        if actor is None:
            raise CommandError("No such user (or no administrator) to read the log as.")
        narrowing = {
            "date_from": options["date_from"],
            "date_to": options["date_to"],
            "team_id": options["team"],
            "user_id": options["user"],
        }
        try:
            if options["case_type"] == ALL:
                if options["format"] == "xes" or options["pipeline"] or options["process"]:
                    raise CommandError(
                        "The log of all case types is OCEL 2.0, narrowed by period, team, user."
                    )
                self._write(options["out"], export_all(actor, options["format"], **narrowing))
                return
            log = case_log(
                case_type=options["case_type"],
                pipeline_id=options["pipeline"],
                process=options["process"],
                **narrowing,
            )
            self._write(options["out"], export(actor, log, options["format"]))
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _write(self, path: str, chunks: Any) -> None:
        if path == "-":
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            return
        with open(path, "w", encoding="utf-8") as out:
            for chunk in chunks:
                out.write(chunk)
        self.stderr.write(f"written {path}")
