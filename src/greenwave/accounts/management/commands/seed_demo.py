"""`manage.py seed_demo`: the demo company (users of every role in two teams) and app data.

Every app registers a seeder (greenwave.core.demo); this command runs them in order, each in
its own transaction, and prints the logins. `--logins-only` prints without writing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from greenwave.accounts.demo import DEMO_USERS, demo_password
from greenwave.core.demo import demo_seeders


class Command(BaseCommand):
    help = "Load the demo company: users of every role in two teams, and demo data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--logins-only", action="store_true", help="Only print the logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        context: dict[str, Any] = {"password": demo_password(), "stdout": self.stdout}
        if not options["logins_only"]:
            for seeder in demo_seeders():
                with transaction.atomic():
                    seeder.func(context)
                self.stdout.write(f"demo data: {seeder.name} ready")
        self.stdout.write(f"Demo logins (password for every user: {context['password']}):")
        for login, _first, _last, position, _roles, team in DEMO_USERS:
            self.stdout.write(f"  {login:<12} {position} — {team}")
