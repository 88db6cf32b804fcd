from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.calls import konto_csv
from accounts.models import CallRecord
from tests import factories

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


def _download(client, url: str) -> tuple[bytes, object]:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content), response


def _rows(raw: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get("/calls/export.csv")["Location"] == "/login/?next=/calls/export.csv"


def test_it_does_not_accept_post(alice_client):
    assert alice_client.post("/calls/export.csv").status_code == 405


def test_it_is_a_streamed_csv_download(alice_client, alice):
    factories.make_call(alice)
    response = alice_client.get("/calls/export.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="calls-telekonferencja_48223809888-')
    assert disposition.endswith('.csv"')
    assert "no-store" in response["Cache-Control"]


def test_it_starts_with_a_byte_order_mark_and_the_header_row(alice_client, alice):
    raw, _response = _download(alice_client, "/calls/export.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw[3:].decode("utf-8").splitlines()[0]
    assert header.split(",") == konto_csv.COLUMNS


def test_a_row_has_local_times_with_offset_dot_amounts_and_polish_letters(alice_client, alice):
    alice.time_zone = "Europe/Warsaw"
    alice.save()
    started = datetime(2026, 11, 24, 9, 15, tzinfo=UTC)
    factories.make_call(
        alice,
        source="asterisk",
        source_id="1732440900.17",
        started_at=started,
        answered_at=started + timedelta(seconds=7),
        caller="+48223809888",
        callee="+48426543210",
        duration=127,
        billed_seconds=120,
        description="Łódź, Żółta 5 — „ważne”",
        charge=Decimal("1234.5"),
    )
    [row] = _rows(_download(alice_client, "/calls/export.csv")[0])
    assert row == {
        "call_id": "asterisk:1732440900.17",
        "account_id": "telekonferencja_48223809888",
        "start_time": "2026-11-24T10:15:00+01:00",
        "answer_time": "2026-11-24T10:15:07+01:00",
        "caller": "+48223809888",
        "callee": "+48426543210",
        "direction": "out",
        "duration": "127",
        "billed_seconds": "120",
        "disposition": "answered",
        "description": "Łódź, Żółta 5 — „ważne”",
        "charge": "1234.50",
        "currency": "PLN",
    }


def test_an_unanswered_call_has_an_empty_answer_time(alice_client, alice):
    factories.make_call(alice, answered_at=None, disposition="no_answer", charge=0)
    [row] = _rows(_download(alice_client, "/calls/export.csv")[0])
    assert row["answer_time"] == "" and row["disposition"] == "no_answer"
    assert row["charge"] == "0.00"


def test_it_exports_exactly_the_filtered_calls_newest_first(alice_client, alice):
    alice.time_zone = "America/New_York"
    alice.save()
    zone = ZoneInfo("America/New_York")
    for day, direction in [(9, "in"), (10, "in"), (10, "out"), (11, "in"), (12, "in")]:
        factories.make_call(
            alice,
            started_at=datetime(2026, 3, day, 23, 30, tzinfo=zone),
            direction=direction,
            source_id=f"{day}-{direction}",
        )
    raw, _response = _download(
        alice_client, "/calls/export.csv?date_from=2026-03-10&date_to=2026-03-11&direction=in"
    )
    assert [row["call_id"] for row in _rows(raw)] == ["test:11-in", "test:10-in"]
    assert _rows(raw)[0]["start_time"] == "2026-03-11T23:30:00-04:00"


def test_it_matches_what_the_history_page_shows_for_the_same_query(alice_client, alice):
    factories.make_call(alice, caller="+48601765432", direction="in", disposition="busy")
    factories.make_call(alice, caller="+48601765432", direction="in", disposition="answered")
    factories.make_call(alice, caller="+48221111111", direction="in", disposition="busy")
    query = "?number=601+765&result=unsuccessful&direction=bogus"
    html = alice_client.get(f"/calls/{query}").content.decode()
    rows = _rows(_download(alice_client, f"/calls/export.csv{query}")[0])
    assert len(rows) == 1 and rows[0]["disposition"] == "busy"
    assert html.count(">+48601765432</td>") == 1  # the same single call on the page


def test_it_never_exports_another_accounts_calls(alice_client, alice, bob):
    factories.make_call(alice, callee="+48500000001")
    factories.make_call(bob, callee="+48999888777")
    raw, _response = _download(alice_client, "/calls/export.csv?number=%25")
    assert b"+48999888777" not in raw
    raw, _response = _download(alice_client, "/calls/export.csv")
    assert [row["callee"] for row in _rows(raw)] == ["+48500000001"]


def test_bad_filters_never_fail_the_download(alice_client, alice):
    factories.make_call(alice)
    for query in ["?date_from=2026-13-01", "?date_from=2026-03-10&date_to=2026-03-01", "?page=x"]:
        raw, _response = _download(alice_client, f"/calls/export.csv{query}")
        assert raw.startswith(b"\xef\xbb\xbf"), query


def test_a_long_export_is_sent_in_pieces_that_together_hold_every_call(alice_client, alice):
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
                description="Połączenie testowe z opisem, żeby wiersze były dłuższe",
            )
            for n in range(3000)
        ]
    )
    response = alice_client.get("/calls/export.csv")
    pieces = list(response.streaming_content)
    assert len(pieces) > 2  # streamed, not built in one piece
    assert all(len(piece) < 200_000 for piece in pieces)
    rows = _rows(b"".join(pieces))
    assert len(rows) == 3000
    assert rows[0]["call_id"] == "bulk:0" and rows[-1]["call_id"] == "bulk:2999"
    assert b"".join(pieces).count(b"\xef\xbb\xbf") == 1


def test_its_query_count_does_not_grow_with_calls(
    alice_client, alice, django_assert_max_num_queries
):
    factories.make_call(alice)
    with django_assert_max_num_queries(6) as few:
        b"".join(alice_client.get("/calls/export.csv").streaming_content)
    for _ in range(20):
        factories.make_call(alice)
    with django_assert_max_num_queries(len(few.captured_queries)):
        b"".join(alice_client.get("/calls/export.csv").streaming_content)


def test_cells_a_spreadsheet_would_run_as_formulas_are_guarded(alice_client, alice):
    # OWASP "CSV injection": =, +, -, @, tab and carriage return start a formula.
    texts = ["=cmd|' /C calc'!A0", "@SUM(A1)", "+A1", "-2+3", "\tukryte", "\r=1"]
    for n, text in enumerate(texts):
        factories.make_call(
            alice,
            started_at=timezone.now() - timedelta(minutes=n),
            description=text,
            caller="+48221234567",
            callee="-12.50",
        )
    rows = _rows(_download(alice_client, "/calls/export.csv")[0])
    assert [row["description"] for row in rows] == [f"'{text}" for text in texts]
    # Plain numbers, signed or not, are left as they are.
    assert {row["caller"] for row in rows} == {"+48221234567"}
    assert {row["callee"] for row in rows} == {"-12.50"}
    assert {row["charge"] for row in rows} == {"0.12"}


def test_an_apostrophe_of_the_customers_own_gets_one_more_only_before_formula_text(
    alice_client, alice
):
    factories.make_call(alice, description="'=nie formuła", source_id="a")
    factories.make_call(alice, description="'zwykły tekst", source_id="b")
    rows = {row["call_id"]: row for row in _rows(_download(alice_client, "/calls/export.csv")[0])}
    assert rows["test:a"]["description"] == "''=nie formuła"
    assert rows["test:b"]["description"] == "'zwykły tekst"
