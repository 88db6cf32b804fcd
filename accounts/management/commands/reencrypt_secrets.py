from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from accounts.fields import EncryptedTextField, StoredToken, reencrypt
from accounts.management.base import OperatorCommand, counted


class Command(OperatorCommand):
    help = """Encrypt every stored secret (SIP passwords) again under the newest key.

Rotating FIELD_ENCRYPTION_KEYS: put the new key first and keep the old ones after it,
deploy, run this command, then remove the old keys. Values that no key decrypts are listed
(model, row) and left as they are: restore the key that encrypted them, or set new values.
Exit status 1 when any value could not be decrypted."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Check that every value decrypts; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rewritten = unreadable = 0
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, EncryptedTextField):
                    continue
                # Read the tokens themselves: a plain text cast skips the field's decryption.
                rows = (
                    model._default_manager.exclude(**{field.attname: ""})
                    .exclude(**{f"{field.attname}__isnull": True})
                    .annotate(token=Cast(field.attname, TextField()))
                    .values_list("pk", "token")
                )
                for pk, token in rows.iterator():
                    try:
                        fresh = reencrypt(token)
                    except Exception:  # InvalidToken, or a value that is no token
                        unreadable += 1
                        self.stderr.write(
                            f"{model._meta.label} {pk}: {field.name} cannot be decrypted with "
                            "any of FIELD_ENCRYPTION_KEYS; left as it is."
                        )
                        continue
                    if not options["dry_run"]:
                        with transaction.atomic():
                            model._default_manager.filter(pk=pk).update(
                                **{field.attname: StoredToken(fresh)}
                            )
                    rewritten += 1
        verb = "Would re-encrypt" if options["dry_run"] else "Re-encrypted"
        self.stdout.write(f"{verb} {counted(rewritten, 'value')} under the newest key.")
        if unreadable:
            raise CommandError(
                f"{counted(unreadable, 'value')} could not be decrypted (listed above).",
                returncode=1,
            )
