from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from conferences.access_codes import release_codes_of_ended


class Command(BaseCommand):
    help = (
        "Release the access codes of conferences that have ended, so the codes can be given "
        "to new conferences. Safe to run often (e.g. every few minutes from cron) and from "
        "several servers at once; creating a conference also does it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        released = release_codes_of_ended()
        self.stdout.write(f"Released {released} access code(s) of ended conferences.")
