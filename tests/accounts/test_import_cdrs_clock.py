"""import_cdrs on the days the clocks change: every call at its true instant, or reported.

Europe/Warsaw in 2026: on 29 March the clock jumps from 02:00 to 03:00 (02:xx never
happens); on 25 October it goes back from 03:00 to 02:00 (02:xx happens twice, first at
UTC+2, then at UTC+1). Rows are written from instants, as cdr_csv's append_date does.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts.models import CallRecord
from tests.accounts.cdr_files import (
    ALICE,
    UTC_ZONE,
    asterisk_row,
    run,
    run_rejecting,
    timed_row,
    wall,
    write,
)

pytestmark = pytest.mark.django_db

FIRST_0230 = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 summer time
SECOND_0230 = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 winter time, an hour later


@pytest.mark.parametrize("instant", [FIRST_0230, SECOND_0230])
def test_the_uniqueid_epoch_settles_the_repeated_hour(tmp_path, alice, instant):
    # Both occurrences of 02:30 with the end inside the repeated hour too: only the
    # uniqueid's epoch (when the channel was made) tells them apart.
    line = timed_row(instant, ring=5, talk=60)
    assert wall(instant).startswith("2026-10-25 02:30")
    out, err = run(write(tmp_path, line), "--format", "asterisk")
    assert "Imported 1 call" in out, err
    call = CallRecord.objects.get()
    assert call.started_at == instant
    assert call.answered_at == datetime(2026, 10, 25, instant.hour, 30, 5, tzinfo=UTC)


def test_both_occurrences_of_the_repeated_hour_are_two_calls(tmp_path, alice):
    path = write(tmp_path, timed_row(FIRST_0230), timed_row(SECOND_0230))
    run(path, "--format", "asterisk")
    assert sorted(CallRecord.objects.values_list("started_at", flat=True)) == [
        FIRST_0230,
        SECOND_0230,
    ]


def test_an_unambiguous_end_settles_a_start_without_uniqueid(tmp_path, alice):
    # Starts at 02:50 (the second time, UTC+1) and ends 20 minutes later at 03:10.
    start = datetime(2026, 10, 25, 1, 50, tzinfo=UTC)
    line = timed_row(start, ring=0, talk=1200, uniqueid="")
    run(write(tmp_path, line), "--format", "asterisk")
    assert CallRecord.objects.get().started_at == start


def test_an_ambiguous_time_nothing_settles_is_reported(tmp_path, alice):
    line = timed_row(FIRST_0230, ring=5, talk=60, uniqueid="")
    out, err = run_rejecting(write(tmp_path, line), "--format", "asterisk")
    assert "line 1, column start: 2026-10-25 02:30:00 happened twice in Europe/Warsaw" in err
    assert "--tz UTC" in err
    assert not CallRecord.objects.exists()


def test_an_epoch_that_does_not_fit_falls_back_to_the_end(tmp_path, alice):
    # A switch with a wrong clock in its uniqueids (a day later): the end still tells.
    start = datetime(2026, 10, 25, 1, 50, tzinfo=UTC)
    line = timed_row(start, ring=0, talk=1200, uniqueid="1793000000.1")
    run(write(tmp_path, line), "--format", "asterisk")
    assert CallRecord.objects.get().started_at == start


def test_a_time_the_spring_change_skipped_is_reported(tmp_path, alice):
    line = asterisk_row(
        ALICE,
        start="2026-03-29 02:30:00",
        answer="2026-03-29 03:30:05",
        end="2026-03-29 03:31:05",
        duration="65",
        billsec="60",
    )
    _out, err = run_rejecting(write(tmp_path, line), "--format", "asterisk")
    assert "line 1, column start: 2026-03-29 02:30:00 does not exist in Europe/Warsaw" in err
    assert "usegmtime" in err


def test_a_call_across_the_spring_change_is_accepted_with_its_true_length(tmp_path, alice):
    # 01:50 winter time to 03:10 summer time: twenty minutes, not eighty.
    start = datetime(2026, 3, 29, 0, 50, tzinfo=UTC)
    line = timed_row(start, ring=10, talk=1190)
    assert wall(start).endswith("01:50:00") and "03:10:00" in line
    out, err = run(write(tmp_path, line), "--format", "asterisk", "--rate", "0.60")
    assert "Imported 1 call" in out, err
    call = CallRecord.objects.get()
    assert call.started_at == start
    assert (call.duration, call.billed_seconds) == (1200, 1190)
    assert str(call.charge) == "11.90"


def test_a_call_across_the_autumn_change_is_accepted(tmp_path, alice):
    # 02:50 summer time to 02:10 winter time: the end's wall time is before the start's.
    start = datetime(2026, 10, 25, 0, 50, tzinfo=UTC)
    line = timed_row(start, ring=10, talk=1190)
    out, err = run(write(tmp_path, line), "--format", "asterisk")
    assert "Imported 1 call" in out, err
    call = CallRecord.objects.get()
    assert call.started_at == start
    assert call.answered_at == datetime(2026, 10, 25, 0, 50, 10, tzinfo=UTC)


def test_usegmtime_files_are_read_with_tz_utc(tmp_path, alice):
    line = timed_row(FIRST_0230, zone=UTC_ZONE, uniqueid="")
    out, _err = run(write(tmp_path, line), "--format", "asterisk", "--tz", "UTC")
    assert "Times read in UTC." in out
    assert CallRecord.objects.get().started_at == FIRST_0230


def test_the_summary_names_the_zone(tmp_path, alice):
    out, _err = run(write(tmp_path, asterisk_row(ALICE)), "--format", "asterisk")
    assert "Times read in Europe/Warsaw." in out
