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

openpyxl's write-only mode writes each row to a temporary file as it comes, so memory stays
flat however many calls are exported; the finished workbook is a temporary file too.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import timedelta
from typing import IO, Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.calls.history import ExportedCall
from accounts.calls.local_times import LocalClock
from accounts.models import Account, CallRecord

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DURATION_FORMAT = "[h]:mm:ss"
AMOUNT_FORMAT = "0.00"
TEXT_FORMAT = "@"
# Column widths in characters: a date-time, a long international number, a word, a short text.
WIDTHS = (20, 18, 18, 14, 10, 18, 45, 14)


def _columns(account: Account) -> list[str]:
    """The history page's column titles (templates/accounts/calls.html), in the active language."""
    return [
        _("Start time"),
        _("Caller"),
        _("Callee"),
        _("Direction"),
        _("Duration"),
        _("Result"),
        _("Description"),
        _("Charge (%(currency)s)") % {"currency": account.currency},
    ]


def _text(sheet: Any, value: str) -> WriteOnlyCell:
    # Control characters are not allowed in the file format (a switch may send them in a
    # caller's name); the type is set last because openpyxl makes "=…" a formula.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def _formatted(sheet: Any, value: object, number_format: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


class _Cells:
    """The workbook cells of calls of one account: the words for codes are looked up once."""

    def __init__(self, sheet: Any, account: Account):
        self.sheet = sheet
        self.clock = LocalClock(account.zone)
        self.directions = {
            code: capfirst(str(label)) for code, label in CallRecord.Direction.choices
        }
        self.dispositions = {
            code: capfirst(str(label)) for code, label in CallRecord.Disposition.choices
        }

    def __call__(self, call: ExportedCall) -> list[WriteOnlyCell]:
        sheet = self.sheet
        caller = _text(sheet, call.caller)
        callee = _text(sheet, call.callee)
        caller.number_format = callee.number_format = TEXT_FORMAT
        return [
            # The account's wall-clock time, without a zone: the file format cannot store one.
            _formatted(sheet, self.clock.wall_at(call.started), DATETIME_FORMAT),
            caller,
            callee,
            _text(sheet, self.directions.get(call.direction, call.direction)),
            _formatted(sheet, timedelta(seconds=call.duration), DURATION_FORMAT),
            _text(sheet, self.dispositions.get(call.disposition, call.disposition)),
            _text(sheet, call.description),
            _formatted(sheet, call.charge, AMOUNT_FORMAT),
        ]


def workbook_file(calls: Iterable[ExportedCall], account: Account) -> IO[bytes]:
    """The calls as an .xlsx workbook in a temporary file, positioned at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Call history")[:31])
    # Write-only sheets take their layout before the first row.
    sheet.freeze_panes = "A2"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for title in _columns(account):
        cell = _text(sheet, title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    cells = _Cells(sheet, account)
    for call in calls:
        sheet.append(cells(call))
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    workbook.save(output)
    output.seek(0)
    return output
