"""`manage.py dmn_tck PATH…`: run DMN TCK folders; ends with the line `N passed, N failed`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from feeldmn.tck import run_tck


class Command(BaseCommand):
    help = "Run DMN TCK test folders (a .dmn model plus *-test-*.xml cases) with our FEEL/DMN."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--per-folder", action="store_true", help="Print counts per folder.")

    def handle(self, *args: Any, **options: Any) -> None:
        missing = [str(p) for p in options["paths"] if not p.exists()]
        if missing:
            raise CommandError(f"No such path: {', '.join(missing)}")
        report = run_tck(options["paths"])
        for failure in report.failures:
            self.stdout.write(f"FAIL {failure.folder}/{failure.case_id}: {failure.reason}")
        if options["per_folder"]:
            for folder, (passed, failed) in report.per_folder.items():
                self.stdout.write(f"{folder}: {passed} passed, {failed} failed")
        self.stdout.write(f"{report.passed} passed, {report.failed} failed")
