"""What the operators' commands share: English output, help text kept as written, the actor
name in the audit trail, and a progress bar when a person is watching.
"""

from __future__ import annotations

import sys
from argparse import RawDescriptionHelpFormatter
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)
from django.utils import translation
from tqdm import tqdm

from accounts.models import Account, User


class HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Django's option order, and the command's description with its own line breaks."""


class OperatorCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    @property
    def actor(self) -> str:
        """How the audit trail and the ledger name this command: "manage.py adjust_balance"."""
        return f"manage.py {self.__module__.rsplit('.', 1)[-1]}"

    def execute(self, *args: Any, **options: Any) -> str | None:
        # Operators read English; e-mails sent on the way pick the customer's own language.
        with translation.override("en"):
            return super().execute(*args, **options)

    def progress(self, total: int | None, unit: str, description: str) -> tqdm:
        """A progress bar on the terminal's stderr; silent when output is not a terminal."""
        return tqdm(
            total=total,
            unit=unit,
            desc=description,
            file=sys.stderr,
            disable=not sys.stderr.isatty(),
            unit_scale=True,
            leave=False,
        )


def find_account(login: str) -> Account:
    """The account with this login, or else this account ID; CommandError when neither."""
    account = (
        # Logins are one regardless of case (see User), as when signing in.
        Account.objects.select_related("user")
        .filter(user__in=User.objects.with_login(login))
        .first()
        or Account.objects.select_related("user").filter(account_id=login).first()
    )
    if account is None:
        raise CommandError(f"No account has the login or account ID {login!r}.")
    return account


def counted(count: int, noun: str) -> str:
    """ "1 call", "3 calls": the commands speak English, whose plural is simple."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def invalid(option: str, value: str, error: ValidationError) -> CommandError:
    """A command-line value a shared validator refused: "--credit-limit 'dużo': Enter an …"."""
    return CommandError(f"{option} {value!r}: {' '.join(error.messages)}")
