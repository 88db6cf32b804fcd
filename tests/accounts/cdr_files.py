"""Master.csv files built the way Asterisk's cdr_csv.c writes them, for the import tests.

build_csv_record() in cdr/cdr_csv.c writes, in order: accountcode, src, dst, dcontext, clid,
channel, dstchannel, lastapp, lastdata (append_string: in double quotes, a quote doubled),
start, answer, end (append_date: quoted "%Y-%m-%d %T" in the local zone, or GMT with
usegmtime; an unset time is an empty, unquoted field), duration, billsec (append_int:
unquoted), disposition, amaflags (quoted), then uniqueid if loguniqueid, userfield if
loguserfield, and peeraccount, linkedid (quoted) and sequence (unquoted) if newcdrcolumns.
Records end with "\n"; there is no header. The clid is ast_callerid_merge's `"name" <num>`,
with a quote or backslash in the name escaped by a backslash.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ALICE = "telekonferencja_48223809888"
BOB = "telekonferencja_48223809889"
WARSAW = ZoneInfo("Europe/Warsaw")
UTC_ZONE = ZoneInfo("UTC")


def quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def clid(name: str, number: str) -> str:
    """ast_callerid_merge: the name quoted, its quotes and backslashes escaped."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}" <{number}>'


def asterisk_row(
    account: str = ALICE,
    *,
    src: str = "48223809888",
    dst: str = "48226543210",
    dcontext: str = "from-internal",
    clid: str = '"Biuro, NASK" <48223809888>',
    channel: str | None = None,
    dstchannel: str = "PJSIP/trunk-00000001",
    start: str = "2026-11-02 08:10:00",
    answer: str | None = "2026-11-02 08:10:14",
    end: str = "2026-11-02 08:11:14",
    duration: str = "74",
    billsec: str = "60",
    disposition: str = "ANSWERED",
    uniqueid: str | None = "1794961168.0",
    userfield: str | None = "",
    newcdrcolumns: tuple[str, str, str] | None = None,
) -> str:
    """One Master.csv line as cdr_csv writes it (loguniqueid and loguserfield as given:
    None leaves the column out; `newcdrcolumns` is (peeraccount, linkedid, sequence))."""
    fields = [
        quoted(account),
        quoted(src),
        quoted(dst),
        quoted(dcontext),
        quoted(clid),
        quoted(channel if channel is not None else f"PJSIP/{src}-00000000"),
        quoted(dstchannel),
        quoted("Dial"),
        quoted(f"PJSIP/{dst}@trunk,60"),
        quoted(start),
        quoted(answer) if answer else "",
        quoted(end),
        duration,
        billsec,
        quoted(disposition),
        quoted("DOCUMENTATION"),
    ]
    if uniqueid is not None:
        fields.append(quoted(uniqueid))
    if userfield is not None:
        fields.append(quoted(userfield))
    if newcdrcolumns is not None:
        peeraccount, linkedid, sequence = newcdrcolumns
        fields += [quoted(peeraccount), quoted(linkedid), sequence]
    return ",".join(fields)


def wall(moment: datetime, zone: ZoneInfo = WARSAW) -> str:
    """append_date: the instant in the switch's zone (ast_localtime), "%Y-%m-%d %T"."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def timed_row(
    start: datetime,
    *,
    ring: int = 10,
    talk: int = 60,
    zone: ZoneInfo = WARSAW,
    uniqueid: str | None = None,
    **fields: object,
) -> str:
    """A row for a call that started at the instant `start` (aware), as the switch in `zone`
    writes it: answer after `ring` seconds, end after `talk` more (talk=0: unanswered).
    The uniqueid, unless given, is <epoch of start>.<n> like Asterisk's."""
    answered = start + timedelta(seconds=ring) if talk else None
    ended = start + timedelta(seconds=ring + talk)
    return asterisk_row(
        start=wall(start, zone),
        answer=wall(answered, zone) if answered else None,
        end=wall(ended, zone),
        duration=str(ring + talk),
        billsec=str(talk),
        disposition="ANSWERED" if talk else "NO ANSWER",
        uniqueid=uniqueid if uniqueid is not None else f"{int(start.timestamp())}.7",
        **fields,  # type: ignore[arg-type]
    )


def write(
    tmp_path: Path,
    *lines: str,
    name: str = "Master.csv",
    newline: str = "\n",
    prefix: str = "",
    encoding: str = "utf-8",
) -> Path:
    path = tmp_path / name
    path.write_bytes((prefix + newline.join(lines) + newline).encode(encoding))
    return path


def run(path: Path, *args: str, **options: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cdrs", str(path), *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def run_rejecting(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="rejected") as raised:
        call_command("import_cdrs", str(path), *args, stdout=out, stderr=err)
    assert raised.value.returncode == 1
    return out.getvalue(), err.getvalue()
