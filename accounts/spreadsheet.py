"""A one-sheet .xlsx workbook written row by row, for exports of a million rows.

openpyxl builds an object per cell, even in its write-only mode, and managed about 9,000 rows
of the call history a second. An export needs only a handful of cell kinds, so this writes
the sheet's XML (ECMA-376, SpreadsheetML) as text straight into the zip, in constant memory:

- text as inline strings (no shared-string table to keep in memory), typed as text so that a
  spreadsheet never reads "=1+1" as a formula; characters the format forbids (control
  characters a switch may send in a caller's name) are left out, tabs, line breaks and
  backslashes written as references; empty text is an empty cell;
- date-times as spreadsheet serial numbers of the wall-clock time (the format has no zones);
- durations in seconds as fractions of a day, shown [h]:mm:ss, so that they sum;
- amounts as numbers with two decimals.

The package holds what Excel, LibreOffice and openpyxl need to open it: content types,
relationships, the workbook, the styles and the sheet (frozen header row, column widths).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO
from xml.sax.saxutils import quoteattr

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE_LENGTH = 31
# Days from the spreadsheet epoch (1899-12-30, the 1900 date system) to 1970-01-01.
UNIX_EPOCH_SERIAL = 25569
SECONDS_PER_DAY = 86400

ROWS_PER_WRITE = 1000

# Style indexes into STYLES' cellXfs, in that order.
BOLD_TEXT, TEXT, DATE_TIME, DURATION, AMOUNT = 1, 2, 3, 4, 5

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# cellXfs: 0 the default, then BOLD_TEXT, TEXT ("@", number format 49), DATE_TIME (164),
# DURATION (165) and AMOUNT ("0.00", number format 2).
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

# XML 1.0 allows tab, line feed and carriage return of the control characters, no others.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Besides the three XML needs escaped, the allowed control characters and the backslash as
# references: a carriage return kept as one (an XML reader turns a written one into a line
# feed), and no character that COPY's text format escapes (xlsx_postgres writes the same).
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "\\": "&#92;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)


def text_cell(value: str, style: int = TEXT) -> str:
    """A text cell; "" is an empty cell (in the text format)."""
    if not value:
        return f'<c s="{style}"/>'
    if (
        # The usual cell (a number, a name) needs nothing done: a few checks in C say so.
        value.isprintable()
        and "&" not in value
        and "<" not in value
        and ">" not in value
        and "\\" not in value
        and value[0] != " "
        and value[-1] != " "
    ):
        return f'<c s="{style}" t="inlineStr"><is><t>{value}</t></is></c>'
    if not value.isprintable():
        value = _FORBIDDEN.sub("", value)
        if not value:  # nothing but characters XML forbids
            return f'<c s="{style}"/>'
    value = value.translate(_ESCAPES)
    if value[0] == " " or value[-1] == " ":
        return f'<c s="{style}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
    return f'<c s="{style}" t="inlineStr"><is><t>{value}</t></is></c>'


def date_time_cell(local_epoch_seconds: int) -> str:
    """A date-time given as the wall-clock time's seconds since 1970-01-01 00:00."""
    serial = UNIX_EPOCH_SERIAL + local_epoch_seconds / SECONDS_PER_DAY
    return f'<c s="{DATE_TIME}"><v>{serial!r}</v></c>'


def duration_cell(seconds: int) -> str:
    return f'<c s="{DURATION}"><v>{(seconds / SECONDS_PER_DAY)!r}</v></c>'


def amount_cell(amount: Decimal) -> str:
    return f'<c s="{AMOUNT}"><v>{amount}</v></c>'


class SheetWriter:
    """Writes one sheet into `output`: the header row first (bold, frozen), then rows of cells
    made by this module's *_cell functions, then `close()`."""

    def __init__(self, output: IO[bytes], title: str, header: Sequence[str], widths: Sequence[int]):
        self.zip = zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.zip.writestr("[Content_Types].xml", CONTENT_TYPES)
        self.zip.writestr("_rels/.rels", PACKAGE_RELS)
        self.zip.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        self.zip.writestr("xl/styles.xml", STYLES)
        self.zip.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheets>'
            f'<sheet name={quoteattr(_sheet_title(title))} sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        self.sheet = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        columns = "".join(
            f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
            for n, width in enumerate(widths, start=1)
        )
        self.pending: list[str] = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            f"</sheetView></sheetViews><cols>{columns}</cols><sheetData>"
        ]
        self.row(text_cell(title, BOLD_TEXT) for title in header)

    def row(self, cells: Iterable[str]) -> None:
        self.row_of("".join(cells))

    def row_of(self, cells: str) -> None:
        """A row of cells already joined (the fast way for exports)."""
        self.pending.append(f"<row>{cells}</row>")
        if len(self.pending) >= ROWS_PER_WRITE:
            self._flush()

    def rows_xml(self, rows: Iterable[bytes | memoryview]) -> None:
        """Rows already written as UTF-8 "<row>…</row>", each ending in a line feed (the
        database's, xlsx_postgres); the line feeds are left out (text never holds one: it is
        written as a reference)."""
        self._flush()
        batch: list[bytes | memoryview] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= ROWS_PER_WRITE:
                self.sheet.write(b"".join(batch).replace(b"\n", b""))
                batch.clear()
        self.sheet.write(b"".join(batch).replace(b"\n", b""))

    def close(self) -> None:
        self.pending.append("</sheetData></worksheet>")
        self._flush()
        self.sheet.close()
        self.zip.close()

    def _flush(self) -> None:
        self.sheet.write("".join(self.pending).encode())
        self.pending.clear()


def _sheet_title(title: str) -> str:
    # A sheet's name may not hold []:*?/\ and has at most 31 characters.
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:SHEET_TITLE_LENGTH]
