"""`manage.py issue_token USERNAME`: prints the new bearer token and nothing else."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from greenwave.accounts import services
from greenwave.accounts.models import User


class Command(BaseCommand):
    help = "Issue an API token for a user and print it (only its hash is stored)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="CLI", help="A name to recognise the token by.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['username']!r}.")
        _token, raw = services.token_issue(actor=None, user=user, name=options["name"])
        self.stdout.write(raw)
