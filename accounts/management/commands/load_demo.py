from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_LOGIN, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = (
        "Create the demo account telekonferencja_48223809888 with a contact, a hunt group, calls "
        "and ledger entries. Idempotent. Development only: refuses to run when DEBUG is off."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "The demo account has a published password: load it only with DEBUG=1."
            )
        account, created = load_demo()
        if created:
            self.stdout.write(f"Demo account {account.account_id} is ready.")
        else:
            self.stdout.write(
                f"Demo account {account.account_id} was already there; nothing changed."
            )
        self.stdout.write(f"Sign in with login {DEMO_LOGIN} and password {DEMO_PASSWORD}.")
