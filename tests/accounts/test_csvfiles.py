"""accounts.csvfiles.DecodedLines: every line of a file, wherever its reads of a chunk end."""

from __future__ import annotations

import pytest

from accounts import csvfiles
from accounts.csvfiles import DecodedLines
from tests.accounts.cdr_files import run, timed_row, write


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(csvfiles, "CHUNK_SIZE", 16)


@pytest.mark.parametrize(
    "content",
    [
        # Lines of 8 bytes: every chunk of 16 ends exactly at a line's end.
        b"".join(b"line %02d\n" % n for n in range(10)),
        # ... and the last line without its line end.
        b"".join(b"line %02d\n" % n for n in range(10)) + b"the end",
        # A line longer than a chunk, a byte-order mark, a legacy (cp1250) line.
        b"\xef\xbb\xbfshort\n" + b"x" * 40 + b"\nZa\xbf\xf3\xb3\xe6\nlast\n",
        b"",
    ],
)
def test_every_line_comes_back_whatever_the_chunks(tmp_path, small_chunks, content):
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    lines = list(DecodedLines(path, "cp1250"))
    expected = content.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    assert len(lines) == content.count(b"\n") + (0 if content.endswith(b"\n") or not content else 1)
    if b"\xbf\xf3" not in content:
        assert "".join(lines) == expected
    else:
        assert lines[2] == "Zażółć\n" and lines[-1] == "last\n"


def test_an_import_reads_past_a_chunk_that_ends_at_a_line_end(tmp_path, small_chunks, alice, db):
    from datetime import UTC, datetime, timedelta

    from accounts.models import CallRecord

    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    rows = [timed_row(start + timedelta(minutes=n), uniqueid=f"17949{n:05d}.1") for n in range(40)]
    out, _err = run(write(tmp_path, *rows), "--format", "asterisk")
    assert "Imported 40 calls" in out
    assert CallRecord.objects.filter(account=alice).count() == 40
