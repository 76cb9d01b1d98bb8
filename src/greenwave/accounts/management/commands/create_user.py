"""`manage.py create_user USERNAME --role ROLE [--team T] [--password P]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from greenwave.accounts import services
from greenwave.accounts.models import RoleCode, Team
from greenwave.core.errors import DomainError


class Command(BaseCommand):
    help = "Create a user with one or more roles (and a team, created if it does not exist)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            action="append",
            required=True,
            help=f"Role code, repeatable or comma-separated: {', '.join(RoleCode.values)}",
        )
        parser.add_argument("--team", help="Team name (created if missing).")
        parser.add_argument("--password", help="Password; omit to require a reset by e-mail.")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        roles = [r.strip() for value in options["role"] for r in value.split(",") if r.strip()]
        try:
            with transaction.atomic():
                team = None
                if options["team"]:
                    team = Team.objects.filter(
                        name=options["team"]
                    ).first() or services.team_create(actor=None, name=options["team"])
                user = services.user_create(
                    actor=None,
                    username=options["username"],
                    password=options["password"],
                    roles=roles,
                    team=team,
                    email=options["email"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"created user {user.username} with roles {', '.join(sorted(roles))}")
