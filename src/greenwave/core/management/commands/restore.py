"""`manage.py restore DIR [--force]`: put back the database and the uploaded files of a backup
made by `manage.py backup` (`core.backup`; README "Backup and restore")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from greenwave.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the database and the uploaded files from a backup directory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", help="The directory written by `manage.py backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Drop every table of the database and delete every stored file first.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["source"])
        try:
            manifest = restore(source, force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored the {manifest['vendor']} database of {manifest['created_at']} and "
            f"{manifest['restored_files']} files from {source}. Run `manage.py migrate` if "
            "this version of Greenwave is newer than the backup."
        )
