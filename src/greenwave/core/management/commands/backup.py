"""`manage.py backup --out DIR`: the database and the uploaded files into a new directory
(`core.backup`; README "Backup and restore")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from greenwave.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new directory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, help="A new directory for the backup.")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        try:
            manifest = backup(out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backed up the {manifest['vendor']} database and {manifest['files']} files into {out}."
        )
