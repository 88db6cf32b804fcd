from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from accounts.management.base import OperatorCommand
from accounts.switch_api.models import SwitchToken
from accounts.switch_api.tokens import create_token, revoke_token


class Command(OperatorCommand):
    help = """Bearer tokens of the switches that call the switch API (/switch/v1/).

  switch_token create NAME   make a token for the switch NAME; the token is printed once, as
                             the last line (only its hash is kept: it cannot be shown again)
  switch_token list          every token: name, created, last used, active or revoked
  switch_token revoke NAME   refuse NAME's token from now on (kept for the record)

Creating and revoking are recorded in the audit trail, which names this command.

Example: SWITCH_API_TOKEN=$(manage.py switch_token create kamailio-1 | tail -n 1)"""

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="Make a token and print it once.")
        create.add_argument("name", metavar="NAME", help="The switch's name, e.g. kamailio-1.")
        actions.add_parser("list", help="List the tokens.")
        revoke = actions.add_parser("revoke", help="Revoke a token.")
        revoke.add_argument("name", metavar="NAME", help="The name of the token to revoke.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options["name"])
        elif action == "revoke":
            self._revoke(options["name"])
        else:
            self._list()

    def _create(self, name: str) -> None:
        try:
            token, plaintext = create_token(name, actor=self.actor)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(
            f"Switch token {token.name!r} created. It is shown once, below; store it now."
        )
        self.stdout.write(plaintext)

    def _revoke(self, name: str) -> None:
        token = SwitchToken.objects.filter(name=name.strip()).first()
        if token is None:
            raise CommandError(f"No switch token is named {name!r}.")
        if revoke_token(token, actor=self.actor):
            self.stdout.write(f"Switch token {token.name!r} revoked.")
        else:
            self.stdout.write(f"Switch token {token.name!r} was revoked already.")

    def _list(self) -> None:
        tokens = SwitchToken.objects.order_by("name")
        if not tokens:
            self.stdout.write("No switch tokens.")
            return
        for token in tokens:
            last_used = (
                f"{token.last_used_at:%Y-%m-%d %H:%M} UTC" if token.last_used_at else "never"
            )
            state = (
                "active" if token.is_active else f"revoked {token.revoked_at:%Y-%m-%d %H:%M} UTC"
            )
            self.stdout.write(
                f"{token.name}\tcreated {token.created_at:%Y-%m-%d %H:%M} UTC\t"
                f"last used {last_used}\t{state}"
            )
