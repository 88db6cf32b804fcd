"""The call history as an Excel workbook (`/calls/export.xlsx`), for people rather than programs.

The CSV (`konto_csv`) is the machine format: ISO 8601 times with offsets, dot decimals, codes
such as "out" and "no_answer". This workbook shows what the history page shows, so that a
spreadsheet sorts, sums and filters it without any conversion:

- one sheet, the page's column titles in the customer's language, the header row frozen;
- start times as date-times in the account's time zone (Excel has no time zones, so they are
  written as the local wall-clock time);
- caller and callee as text, so "+48…" and leading zeros stay as dialled;
- direction and result as words in the customer's language, as on the page;
- durations as spreadsheet durations ([h]:mm:ss, which sum to a total), charges as numbers
  with two decimals;
- every text cell stored as text, never as a formula: a description "=1+1" stays "=1+1".

accounts.spreadsheet writes the sheet row by row into the zip as it comes, so memory stays
flat however many calls are exported; the finished workbook is a temporary file. On PostgreSQL
the database writes the rows' XML itself (accounts.calls.xlsx_postgres), the same cells.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from typing import IO

from django.db import models
from django.utils.translation import gettext as _

from accounts import spreadsheet
from accounts.calls.history import COLUMN_TITLES, ExportedCall
from accounts.calls.local_times import LocalClock
from accounts.models import Account, CallRecord
from accounts.models.calls import shown_choices
from accounts.spreadsheet import (
    AMOUNT,
    DATE_TIME,
    DURATION,
    SECONDS_PER_DAY,
    UNIX_EPOCH_SERIAL,
    text_cell,
)

CONTENT_TYPE = spreadsheet.CONTENT_TYPE
# Column widths in characters: a date-time, a long international number, a word, a short text.
WIDTHS = (20, 18, 18, 14, 10, 18, 45, 14)


def columns(account: Account) -> list[str]:
    """The history page's column titles (templates/accounts/calls.html), in the active language."""
    return [
        *(str(title) for title in COLUMN_TITLES),
        _("Charge (%(currency)s)") % {"currency": account.currency},
    ]


def word_cells(choices: type[models.TextChoices]) -> dict[str, str]:
    """The cells of the words for codes (a direction, a result) in the active language."""
    return {code: text_cell(label) for code, label in shown_choices(choices).items()}


class _Cells:
    """The workbook cells of calls of one account: the words for codes are written once."""

    def __init__(self, account: Account):
        self.clock = LocalClock(account.zone)
        self.directions = word_cells(CallRecord.Direction)
        self.dispositions = word_cells(CallRecord.Disposition)

    def __call__(self, call: ExportedCall) -> str:
        """The row's cells, joined: one f-string rather than a list of eight."""
        local = self.clock.local_seconds(call.started)
        return (
            # The account's wall-clock time: the file format cannot store a zone.
            f'<c s="{DATE_TIME}"><v>{UNIX_EPOCH_SERIAL + local / SECONDS_PER_DAY!r}</v></c>'
            f"{text_cell(call.caller)}{text_cell(call.callee)}"
            f"{self.directions.get(call.direction) or text_cell(call.direction)}"
            f'<c s="{DURATION}"><v>{call.duration / SECONDS_PER_DAY!r}</v></c>'
            f"{self.dispositions.get(call.disposition) or text_cell(call.disposition)}"
            f'{text_cell(call.description)}<c s="{AMOUNT}"><v>{call.charge}</v></c>'
        )


def workbook_file(calls: Iterable[ExportedCall], account: Account) -> IO[bytes]:
    """The calls as an .xlsx workbook in a temporary file, positioned at its start."""
    cells = _Cells(account)

    def write(sheet: spreadsheet.SheetWriter) -> None:
        for call in calls:
            sheet.row_of(cells(call))

    return workbook_of(account, write)


def workbook_of(account: Account, write: Callable[[spreadsheet.SheetWriter], None]) -> IO[bytes]:
    """The history's workbook with the rows `write` puts in its sheet after the header, in a
    temporary file positioned at its start (xlsx_postgres writes the rows its own way)."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    sheet = spreadsheet.SheetWriter(output, _("Call history"), columns(account), WIDTHS)
    write(sheet)
    sheet.close()
    output.seek(0)
    return output
