"""accounts.spreadsheet: a workbook every part of which is well-formed XML, read back by openpyxl
as the cells were meant."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl

from accounts.spreadsheet import (
    SheetWriter,
    amount_cell,
    date_time_cell,
    duration_cell,
    text_cell,
)


def _workbook(rows, title="Spis: połączeń/2026?"):
    output = io.BytesIO()
    sheet = SheetWriter(output, title, ["Tekst", "Data", "Czas", "Kwota"], [30, 20, 10, 10])
    for row in rows:
        sheet.row(row)
    sheet.close()
    return output.getvalue()


def test_every_part_is_well_formed_xml():
    raw = _workbook(
        [
            [
                text_cell("<b>&amp;</b>"),
                date_time_cell(0),
                duration_cell(1),
                amount_cell(Decimal("1.00")),
            ]
        ]
    )
    with zipfile.ZipFile(io.BytesIO(raw)) as package:
        assert package.testzip() is None
        for name in package.namelist():
            ElementTree.fromstring(package.read(name))


def test_cells_read_back_as_written():
    moment = datetime(2026, 11, 24, 10, 15, 30)
    local_seconds = int((moment - datetime(1970, 1, 1)).total_seconds())
    raw = _workbook(
        [
            [
                text_cell("  spacje wokół  "),
                date_time_cell(local_seconds),
                duration_cell(3727),
                amount_cell(Decimal("-12.50")),
            ],
            [
                text_cell("a<b & c>d\tz\nnowa"),
                text_cell(""),
                text_cell("dzwonek\x07"),
                text_cell("=SUM(A1)"),
            ],
        ]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(raw)).active
    assert sheet.title == "Spis  połączeń 2026 "
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == ["Tekst", "Data", "Czas", "Kwota"]
    assert sheet["A1"].font.b
    first, second = sheet[2], sheet[3]
    assert first[0].value == "  spacje wokół  "
    assert first[1].value == moment and first[1].is_date
    assert first[2].value == timedelta(hours=1, minutes=2, seconds=7)
    assert (first[3].value, first[3].number_format) == (-12.5, "0.00")
    assert second[0].value == "a<b & c>d\tz\nnowa"
    assert second[1].value is None and second[1].number_format == "@"
    assert second[2].value == "dzwonek"
    assert (second[3].value, second[3].data_type) == ("=SUM(A1)", "s")
    assert sheet.column_dimensions["A"].width == 30


def test_text_of_nothing_but_forbidden_characters_is_an_empty_cell():
    # A caller's name a switch sent as control characters only: no text is left to write.
    assert text_cell("\x01\x07\x1f") == text_cell("")
    sheet = openpyxl.load_workbook(io.BytesIO(_workbook([[text_cell("\x01\x02")]]))).active
    assert sheet["A2"].value is None


def test_a_carriage_return_and_a_backslash_read_back_as_they_are():
    # Written as they are, an XML reader would turn the carriage return into a line feed.
    texts = ["powrót\rkaretki", "dwie\r\nlinie", "C:\\Konto\\spis", "\\"]
    sheet = openpyxl.load_workbook(io.BytesIO(_workbook([[text_cell(t) for t in texts]]))).active
    assert [cell.value for cell in sheet[2]] == texts
    # Nothing COPY's text format would escape is left (accounts.calls.xlsx_postgres).
    assert not any(ch in text_cell(t) for t in texts for ch in "\\\r\n\t")
