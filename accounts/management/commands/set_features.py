from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from accounts.features import FEATURES, set_features
from accounts.management.base import OperatorCommand, find_account, invalid
from accounts.validators import parse_amount


class Command(OperatorCommand):
    help = f"""Switch an account's features on or off and set the limits staff control.

LOGIN is the account's login (or its account ID). Features (NAME): {", ".join(FEATURES)}.
Every change is recorded in the audit trail, which names this command.

Example: manage.py set_features telekonferencja_48223809888 --enable voicemail --mailbox 1001"""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("login", metavar="LOGIN", help="The account's login or account ID.")
        parser.add_argument(
            "--enable",
            action="append",
            default=[],
            choices=list(FEATURES),
            metavar="NAME",
            help="Switch a feature on (may be given several times).",
        )
        parser.add_argument(
            "--disable",
            action="append",
            default=[],
            choices=list(FEATURES),
            metavar="NAME",
            help="Switch a feature off (may be given several times).",
        )
        parser.add_argument(
            "--max-participants",
            type=int,
            metavar="N",
            help="The most participants a conference of the account may have.",
        )
        parser.add_argument(
            "--max-conferences",
            type=int,
            metavar="N",
            help="The most conferences the account may hold at the same time.",
        )
        parser.add_argument(
            "--mailbox",
            metavar="N",
            help='The voicemail mailbox number ("" takes the mailbox away).',
        )
        parser.add_argument(
            "--credit-limit", metavar="X", help="The credit limit, e.g. 100.00 (0: none)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and show the changes; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        changes_asked = [
            options["enable"],
            options["disable"],
            *(
                options[name] is not None
                for name in ("max_participants", "max_conferences", "mailbox", "credit_limit")
            ),
        ]
        if not any(changes_asked):
            raise CommandError(
                "Nothing to change: give --enable, --disable, --max-participants, "
                "--max-conferences, --mailbox or --credit-limit."
            )
        account = find_account(options["login"])
        credit_limit: Decimal | None = None
        if options["credit_limit"] is not None:
            try:
                credit_limit = parse_amount(options["credit_limit"])
            except ValidationError as error:
                raise invalid("--credit-limit", options["credit_limit"], error) from error
        try:
            changes = set_features(
                account,
                enable=options["enable"],
                disable=options["disable"],
                max_participants=options["max_participants"],
                max_conferences=options["max_conferences"],
                mailbox=options["mailbox"],
                credit_limit=credit_limit,
                actor=self.actor,
                dry_run=options["dry_run"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if not changes:
            self.stdout.write(f"{account.account_id} already has these settings; nothing changed.")
            return
        verb = "Would change" if options["dry_run"] else "Changed"
        self.stdout.write(f"{verb} {account.account_id}:")
        for name, (old, new) in changes.items():
            self.stdout.write(f"  {name}: {old or '(none)'} → {new or '(none)'}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
