"""Load the built-in decisions (library/*.dmn) that are not there yet."""

from typing import Any

from django.core.management.base import BaseCommand

from greenwave.decisions.services import decisions_seed


class Command(BaseCommand):
    help = "Load the built-in seed decisions (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = decisions_seed(actor=None)
        self.stdout.write(f"{len(created)} decisions loaded")
