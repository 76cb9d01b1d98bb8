"""`manage.py seed_demo`: the demo company (users of every role in two teams) and app data.

Every app registers a seeder (greenwave.core.demo); this command runs them in order, each in
its own transaction, and prints the logins. `--logins-only` prints without writing.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from greenwave.accounts.demo import DEMO_USERS, demo_password
from greenwave.core.demo import demo_seeders


class Command(BaseCommand):
    help = "Load the demo company: users of every role in two teams, and demo data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--logins-only", action="store_true", help="Only print the logins.")
        parser.add_argument(
            "--deals",
            type=int,
            default=None,
            help="deals in the generated history (default 2000; a smaller demo for tests)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["deals"] is not None and options["deals"] < 1:
            raise CommandError("--deals must be at least 1")
        context: dict[str, Any] = {
            "password": demo_password(),
            "stdout": self.stdout,
            "deals": options["deals"],
        }
        if not options["logins_only"]:
            for seeder in demo_seeders():
                started = time.monotonic()
                with transaction.atomic():
                    seeder.func(context)
                seconds = time.monotonic() - started
                self.stdout.write(f"demo data: {seeder.name} ready ({seconds:.1f} s)")
        self.stdout.write(f"Demo logins (password for every user: {context['password']}):")
        for login, _first, _last, position, _roles, team in DEMO_USERS:
            self.stdout.write(f"  {login:<12} {position} — {team}")
