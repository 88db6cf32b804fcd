from __future__ import annotations

from typing import Any

from django.conf import settings

from accounts.management.base import OperatorCommand
from accounts.sip.credentials import rebuild


class Command(OperatorCommand):
    help = """Rebuild the SIP proxy's credentials (the `subscriber` table) from the accounts.

Every active account with a SIP password gets its digest hashes for SIP_DOMAIN; rows of other
domains and of blocked, removed or passwordless accounts are deleted. Run it after changing
SIP_DOMAIN, or to recover the table. Running it again changes nothing. Portal changes keep the
table in step by themselves; this command is not needed for them."""

    def handle(self, *args: Any, **options: Any) -> None:
        report = rebuild()
        for label, names in [
            ("Added", report.added),
            ("Updated", report.updated),
            ("Removed", report.removed),
        ]:
            for name in names:
                self.stdout.write(f"{label}: {name}")
        for name in report.unreadable:
            self.stderr.write(
                f"{name}: the SIP password cannot be decrypted with FIELD_ENCRYPTION_KEYS; "
                "its credentials were left as they were."
            )
        if report.changed:
            self.stdout.write(
                f"SIP credentials for {settings.SIP_DOMAIN}: "
                f"{len(report.added)} added, {len(report.updated)} updated, "
                f"{len(report.removed)} removed."
            )
        else:
            self.stdout.write(f"SIP credentials for {settings.SIP_DOMAIN} were already in step.")
