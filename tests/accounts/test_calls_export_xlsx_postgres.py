"""On PostgreSQL the Excel export's rows are written by the database (accounts.calls.xlsx_postgres):
its workbook must hold exactly the cells that accounts.calls.xlsx's Python writes for the same
calls, however awkward their text and their time zone."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import pytest
from django.db import connection
from django.utils import translation

from accounts.calls import xlsx, xlsx_postgres
from accounts.calls.history import calls_for_export, filtered_calls
from tests import factories
from tests.accounts.test_calls_export_postgres import CHARGES, MOMENTS, TEXTS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the database's own writer"),
]

# Beyond the CSV's awkward texts: what XML forbids or must escape, and what COPY's text format
# would escape (both writers write it as references, so COPY finds nothing to escape).
XML_TEXTS = [
    "\x01\x02",
    "\x07 dzwonek na początku",
    "na końcu dzwonek \x1f",
    "<b>&amp;</b>",
    "a > b & c < d",
    "ukośnik \\ i \\n",
    "emoji 📞 spoza BMP",
    "nie\ufffeznak",
    "  ",
    "koniec ",
]


def _sheet_xml(raw: bytes) -> str:
    """The sheet's XML with every number written as Python writes it: the database writes
    "0" where Python writes "0.0", the same number."""
    with zipfile.ZipFile(io.BytesIO(raw)) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    return re.sub(r"<v>([^<]*)</v>", lambda number: f"<v>{float(number[1])!r}</v>", xml)


def _cells(workbook) -> list[tuple]:
    return [tuple(cell.value for cell in row) for row in workbook.active.iter_rows()]


def _formats(workbook) -> list[tuple]:
    return [tuple(cell.number_format for cell in row) for row in workbook.active.iter_rows()]


@pytest.mark.parametrize("zone", ["Europe/Warsaw", "America/St_Johns", "Asia/Kathmandu", "UTC"])
@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_database_writes_the_same_cells_as_python(alice, zone, language):
    alice.time_zone = zone
    alice.save()
    texts = TEXTS + XML_TEXTS
    for n, text in enumerate(texts):
        started = MOMENTS[n % len(MOMENTS)] + timedelta(seconds=n)
        factories.make_call(
            alice,
            started_at=started,
            answered_at=None if n % 3 == 0 else started + timedelta(seconds=n),
            duration=n * 7,
            caller=texts[(n + 3) % len(texts)][:64],
            callee=text[:64],
            description=text,
            charge=CHARGES[n % len(CHARGES)],
            direction=["in", "out", "internal", "unknown"][n % 4],
            disposition=["answered", "no_answer", "busy", "failed"][n % 4],
        )
    calls = filtered_calls(alice, {})
    with translation.override(language):
        by_python = xlsx.workbook_file(calls_for_export(calls), alice).read()
        by_database = xlsx_postgres.workbook_file(calls, alice).read()

    with zipfile.ZipFile(io.BytesIO(by_database)) as package:
        assert package.testzip() is None
        for name in package.namelist():
            ElementTree.fromstring(package.read(name))  # every part is well-formed XML
    python = openpyxl.load_workbook(io.BytesIO(by_python))
    database = openpyxl.load_workbook(io.BytesIO(by_database))
    assert len(_cells(database)) == len(texts) + 1
    assert _cells(database) == _cells(python)
    assert _formats(database) == _formats(python)
    assert database.active.freeze_panes == "A2"
    # Down to the markup a spreadsheet may read differently (xml:space="preserve").
    assert _sheet_xml(by_database) == _sheet_xml(by_python)


def test_an_empty_selection_is_a_header_only_workbook(alice):
    factories.make_call(alice, started_at=datetime(2026, 1, 1, tzinfo=UTC))
    calls = filtered_calls(alice, {}).filter(charge__lt=Decimal("-1"))
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_postgres.workbook_file(calls, alice).read()))
    assert len(_cells(workbook)) == 1
