"""/calls/export.xlsx: the call history as an Excel workbook, for people."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.utils import timezone, translation

from accounts.models import CallRecord
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/calls/export.xlsx"
UTC = ZoneInfo("UTC")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def translated(message: str) -> str:
    with translation.override("pl"):
        return translation.gettext(message)


def _download(client, url: str = URL):
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content), response


def _sheet(raw: bytes):
    # Read the file as a spreadsheet program would: every cell with its type and format.
    return openpyxl.load_workbook(io.BytesIO(raw)).active


def _values(raw: bytes) -> list[tuple]:
    return [tuple(cell.value for cell in row) for row in _sheet(raw).iter_rows()]


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get(URL)["Location"] == "/login/?next=/calls/export.xlsx"


def test_it_does_not_accept_post(alice_client):
    assert alice_client.post(URL).status_code == 405


def test_it_is_an_excel_download_that_no_cache_keeps(alice_client, alice):
    factories.make_call(alice)
    raw, response = _download(alice_client)
    assert response["Content-Type"] == XLSX
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="calls-telekonferencja_48223809888-')
    assert disposition.endswith('.xlsx"')
    assert response["Cache-Control"] == "private, no-store"
    assert raw.startswith(b"PK")  # a zip, as every .xlsx is


def test_the_header_is_the_history_pages_columns_in_polish_and_frozen(alice_client, alice):
    sheet = _sheet(_download(alice_client)[0])
    assert [cell.value for cell in sheet[1]] == [
        "Czas początku",
        "Dzwoniący",
        "Numer wybierany",
        "Kierunek",
        "Czas trwania",
        "Wynik",
        "Opis",
        # A message of its own (the page shows the currency with each amount instead).
        translated("Charge (%(currency)s)") % {"currency": "PLN"},
    ]
    assert sheet.title == "Spis połączeń"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["G"].width > sheet.column_dimensions["E"].width
    assert sheet.max_row == 1  # no calls: only the header


def test_the_header_speaks_english_to_an_english_customer(client, alice):
    alice.language = "en"
    alice.save()
    client.force_login(alice.user)
    factories.make_call(alice, direction="in", disposition="busy")
    header, row = _values(_download(client)[0])
    assert header[:4] == ("Start time", "Caller", "Callee", "Direction")
    assert (row[3], row[5]) == ("Incoming", "Busy")


def test_a_row_has_typed_cells_local_times_text_numbers_and_words(alice_client, alice):
    alice.time_zone = "Europe/Warsaw"
    alice.save()
    factories.make_call(
        alice,
        started_at=datetime(2026, 11, 24, 9, 15, 30, tzinfo=UTC),
        caller="+48223809888",
        callee="0048426543210",
        direction="out",
        disposition="answered",
        duration=3727,
        description="Łódź, Żółta 5 — „ważne”",
        charge=Decimal("1234.5"),
    )
    sheet = _sheet(_download(alice_client)[0])
    start, caller, callee, direction, duration, result, description, charge = sheet[2]
    # 09:15:30 UTC is 10:15:30 in Warsaw in November; Excel has no zones, so it is naive.
    assert start.value == datetime(2026, 11, 24, 10, 15, 30)
    assert start.is_date and start.number_format == "yyyy-mm-dd hh:mm:ss"
    # Numbers are text: the + and the leading zeros stay.
    assert (caller.value, caller.data_type) == ("+48223809888", "s")
    assert (callee.value, callee.data_type) == ("0048426543210", "s")
    assert caller.number_format == "@"
    assert (direction.value, result.value) == ("Wychodzące", "Odebrane")
    # A duration that sums: 1 hour 2 minutes 7 seconds.
    assert duration.value == timedelta(hours=1, minutes=2, seconds=7)
    assert duration.number_format == "[h]:mm:ss"
    assert description.value == "Łódź, Żółta 5 — „ważne”"
    assert (charge.value, charge.data_type, charge.number_format) == (1234.5, "n", "0.00")


def test_text_that_looks_like_a_formula_stays_text(alice_client, alice):
    factories.make_call(alice, caller="=1+1", description="=cmd|' /C calc'!A0")
    factories.make_call(alice, caller="", description="#N/A\x07dzwonek")
    rows = list(_sheet(_download(alice_client)[0]).iter_rows(min_row=2))
    first, second = rows
    assert (first[1].value, first[1].data_type) == ("=1+1", "s")
    assert (first[6].value, first[6].data_type) == ("=cmd|' /C calc'!A0", "s")
    # A control character (not allowed in the file format) is left out, not a failed export.
    assert (second[6].value, second[6].data_type) == ("#N/Adzwonek", "s")
    assert second[1].value is None  # an anonymous caller is an empty cell


def test_it_holds_exactly_the_calls_the_history_shows_for_the_query(alice_client, alice, bob):
    alice.time_zone = "America/New_York"
    alice.save()
    zone = ZoneInfo("America/New_York")
    for day, direction in [(9, "in"), (10, "in"), (10, "out"), (11, "in"), (12, "in")]:
        factories.make_call(
            alice,
            started_at=datetime(2026, 3, day, 23, 30, tzinfo=zone),
            direction=direction,
            description=f"{day}-{direction}",
        )
    factories.make_call(bob, started_at=datetime(2026, 3, 10, 23, 30, tzinfo=zone))
    query = "?date_from=2026-03-10&date_to=2026-03-11&direction=in&page=2"
    raw, _response = _download(alice_client, f"{URL}{query}")
    rows = _values(raw)[1:]
    assert [row[6] for row in rows] == ["11-in", "10-in"]  # newest first, as on the page
    assert rows[0][0] == datetime(2026, 3, 11, 23, 30)
    page = alice_client.get(f"/calls/{query.replace('&page=2', '')}")
    assert page.context["page"].paginator.count == len(rows)


def test_bad_filters_never_fail_the_download(alice_client, alice):
    factories.make_call(alice)
    for query in ["?date_from=2026-13-01", "?date_from=9999-12-31", "?direction=bogus"]:
        raw, _response = _download(alice_client, f"{URL}{query}")
        assert _sheet(raw).max_row >= 1, query


def test_the_calls_page_links_to_both_downloads_with_its_filters(alice_client, alice):
    factories.make_call(alice)
    html = alice_client.get("/calls/?direction=out&page=1").content.decode()
    assert 'href="/calls/export.csv?direction=out"' in html
    assert 'href="/calls/export.xlsx?direction=out"' in html
    assert "Eksportuj do CSV" in html


def test_a_large_export_holds_every_call(alice_client, alice):
    CallRecord.objects.bulk_create(
        [
            CallRecord(
                account=alice,
                source="bulk",
                source_id=str(n),
                started_at=timezone.now() - timedelta(minutes=n),
                caller="+48221234567",
                callee="+48501234567",
                direction="out",
                disposition="answered",
                description=f"połączenie {n}",
            )
            for n in range(3000)
        ]
    )
    rows = _values(_download(alice_client)[0])
    assert len(rows) == 3001
    assert rows[1][6] == "połączenie 0" and rows[-1][6] == "połączenie 2999"


def test_its_query_count_does_not_grow_with_calls(
    alice_client, alice, django_assert_max_num_queries
):
    factories.make_call(alice)
    with django_assert_max_num_queries(6) as few:
        _download(alice_client)
    for _ in range(20):
        factories.make_call(alice)
    with django_assert_max_num_queries(len(few.captured_queries)):
        _download(alice_client)
