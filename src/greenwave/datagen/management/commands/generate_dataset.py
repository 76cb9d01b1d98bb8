"""`manage.py generate_dataset --deals N --seed S [--events-per-deal K]`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from greenwave.datagen.generator import Config
from greenwave.datagen.loader import generate_into_database


class Command(BaseCommand):
    help = "Generate a deterministic Russian B2B sales dataset through bulk paths."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--deals", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--events-per-deal",
            type=int,
            default=None,
            help="pad each deal's history with field changes up to K events",
        )
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="PostgreSQL: keep secondary indexes during the load (slower; for a live db)",
        )
        parser.add_argument("--chunk", type=int, default=10_000, help="deals per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["deals"] < 1:
            raise CommandError("--deals must be at least 1")
        config = Config(
            deals=options["deals"],
            seed=options["seed"],
            events_per_deal=options["events_per_deal"],
            chunk=options["chunk"],
        )
        started = time.monotonic()

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:7.1f}s] {message}")
            self.stdout.flush()

        try:
            result, seconds = generate_into_database(
                config, progress=progress, rebuild_indexes=not options["keep_indexes"]
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{table}={n}" for table, n in sorted(result.counts.items()))
        self.stdout.write(self.style.SUCCESS(f"generated in {seconds}s: {counts}"))
