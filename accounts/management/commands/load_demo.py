from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.demo import DEMO_LOGIN, DEMO_PASSWORD, demo_password_works, load_demo, remove_demo


class Command(BaseCommand):
    help = (
        "Create the demo account telekonferencja_48223809888 with a contact, a hunt group, calls "
        "and ledger entries. Idempotent; --reset deletes it first and loads it afresh (with its "
        "published password). Development only: refuses to run when DEBUG is off."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo account and everything of it, then load it again",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "The demo account has a published password: load it only with DEBUG=1."
            )
        if options["reset"] and remove_demo():
            self.stdout.write("The demo account and its data were deleted.")
        account, created = load_demo()
        if created:
            self.stdout.write(f"Demo account {account.account_id} is ready.")
        else:
            self.stdout.write(
                f"Demo account {account.account_id} was already there; nothing changed."
            )
        if demo_password_works():
            self.stdout.write(f"Sign in with login {DEMO_LOGIN} and password {DEMO_PASSWORD}.")
        else:
            self.stdout.write(
                f"The demo account's password was changed, so {DEMO_PASSWORD} no longer works: "
                f"sign in with the new one, or start afresh with "
                f"`.venv/bin/python manage.py load_demo --reset` (it deletes the demo's changes)."
            )
