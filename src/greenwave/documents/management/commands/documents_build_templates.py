"""Write the built-in DOCX templates again from `documents/builtin.py`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from greenwave.documents.builtin import build_all


class Command(BaseCommand):
    help = "Rebuild the built-in DOCX templates (documents/builtin/*.docx) with python-docx."

    def handle(self, *args: Any, **options: Any) -> None:
        for path in build_all():
            self.stdout.write(str(path))
