from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from accounts.ledger.services import adjust_balance, check_adjustment
from accounts.management.base import OperatorCommand, find_account, invalid
from accounts.models import BalanceEntry
from accounts.validators import parse_amount

KINDS = {
    "top-up": BalanceEntry.Kind.TOP_UP,
    "adjustment": BalanceEntry.Kind.ADJUSTMENT,
    "refund": BalanceEntry.Kind.REFUND,
}


class Command(OperatorCommand):
    help = """Top up, adjust or refund an account's balance, through the ledger.

LOGIN is the account's login (or its account ID). AMOUNT is added to the balance:
positive for a top-up or refund, negative or positive for an adjustment. The reason
is kept with the ledger entry and in the audit trail, which names this command.

Example: manage.py adjust_balance telekonferencja_48223809888 50.00 --reason "Bank transfer 2026-11-24\""""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("login", metavar="LOGIN", help="The account's login or account ID.")
        parser.add_argument(
            "amount",
            metavar="AMOUNT",
            help="The amount, e.g. 50.00, 50,00 or -12.50 (a negative amount written with a "
            "comma needs -- before it: -- -12,50).",
        )
        parser.add_argument(
            "--reason", required=True, help="Why: kept in the ledger and the audit trail."
        )
        parser.add_argument(
            "--kind",
            choices=list(KINDS),
            default="top-up",
            help="top-up (default), adjustment or refund.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and show the change; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account = find_account(options["login"])
        try:
            amount = parse_amount(options["amount"])
        except ValidationError as error:
            raise invalid("AMOUNT", options["amount"], error) from error
        kind = KINDS[options["kind"]]
        dry_run = options["dry_run"]
        try:
            if dry_run:
                check_adjustment(amount, kind, options["reason"])
                after = account.balance + amount
            else:
                after = adjust_balance(
                    account, amount, kind, options["reason"], actor=self.actor
                ).balance_after
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{'Would book' if dry_run else 'Booked'} {options['kind']} of {amount:+.2f} "
            f"{account.currency} for {account.account_id}: balance {after - amount:.2f} → "
            f"{after:.2f} {account.currency}."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
