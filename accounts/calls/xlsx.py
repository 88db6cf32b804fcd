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
from datetime import datetime, timedelta
from typing import IO, Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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


def _local(moment: datetime, account: Account) -> datetime:
    # The account's wall-clock time, without a zone: the file format cannot store one.
    return moment.astimezone(account.zone).replace(tzinfo=None)


def _row(sheet: Any, call: CallRecord, account: Account) -> list[WriteOnlyCell]:
    caller = _text(sheet, call.caller)
    callee = _text(sheet, call.callee)
    caller.number_format = callee.number_format = TEXT_FORMAT
    return [
        _formatted(sheet, _local(call.started_at, account), DATETIME_FORMAT),
        caller,
        callee,
        _text(sheet, capfirst(call.get_direction_display())),
        _formatted(sheet, timedelta(seconds=call.duration), DURATION_FORMAT),
        _text(sheet, capfirst(call.get_disposition_display())),
        _text(sheet, call.description),
        _formatted(sheet, call.charge, AMOUNT_FORMAT),
    ]


def workbook_file(calls: Iterable[CallRecord], account: Account) -> IO[bytes]:
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
    for call in calls:
        sheet.append(_row(sheet, call, account))
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    workbook.save(output)
    output.seek(0)
    return output
