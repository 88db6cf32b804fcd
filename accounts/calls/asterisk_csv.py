"""Asterisk's Master.csv (cdr_csv), as `manage.py import_cdrs --format asterisk` reads it.

No header; 16 fields (accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp,
lastdata, start, answer, end, duration, billsec, disposition, amaflags), 17 with uniqueid, 18
with userfield. Times are the switch's local time (`--tz`; ambiguous times of the autumn clock
change are read as the first, summer-time, occurrence).

How an Asterisk record becomes a call of an account:

- the account is the one whose account ID is the record's `accountcode`;
- the call's identity is ("asterisk", uniqueid); without a uniqueid (16-field files, or an
  empty one) it is a hash of the record's fields, so the same line always maps to the same
  call;
- direction: inbound when `dcontext` is one of the contexts where calls from outside enter
  the dialplan (INBOUND_CONTEXTS, or `--inbound-context`), otherwise outbound: a call that
  enters any other context was placed by the account's own phone. Asterisk records do not
  say whether the other party is one of the operator's customers, so they are never
  "internal";
- caller is `src` (or the number in `clid` when `src` is empty), callee is `dst`; the
  description of an inbound call is the caller's name from `clid`;
- the charge: a `userfield` that is a plain amount ("0.12") is the price the switch put on
  the call, whatever its direction; otherwise answered outbound calls cost `--rate` per
  minute, per second of billsec (rate × billsec / 60, rounded to the cent). The default rate
  is 0: Master.csv has no prices, so nothing is charged unless the operator says so.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from accounts import validators
from accounts.calls.records import (
    MAX_DESCRIPTION,
    MAX_SOURCE_ID,
    NO_CHARGE,
    ParsedCall,
    Rejected,
    read_charge,
    read_number,
    read_seconds,
)
from accounts.csvfiles import Record
from accounts.models import CallRecord

ASTERISK_SOURCE = "asterisk"
INBOUND_CONTEXTS = (
    "from-trunk",
    "from-pstn",
    "from-external",
    "from-did",
    "ext-did",
    "incoming",
    "inbound",
)
# Plain strings, not the enum members: a million of them go to the database driver.
INBOUND = CallRecord.Direction.INBOUND.value
OUTBOUND = CallRecord.Direction.OUTBOUND.value
ANSWERED = CallRecord.Disposition.ANSWERED.value
DISPOSITIONS = {
    "ANSWERED": ANSWERED,
    "NO ANSWER": CallRecord.Disposition.NO_ANSWER.value,
    "BUSY": CallRecord.Disposition.BUSY.value,
    "FAILED": CallRecord.Disposition.FAILED.value,
    # Asterisk 12 and later write CONGESTION for calls the network could not complete.
    "CONGESTION": CallRecord.Disposition.FAILED.value,
}
ASTERISK_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
)
AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
CLID_NUMBER = re.compile(r"<([^<>]*)>\s*$")


def _local_time(value: str, column: str, zone: tzinfo) -> datetime:
    # fromisoformat is fast but lenient; the shape check keeps it to Asterisk's own format.
    if len(value) == 19 and value[4] == "-" and value[7] == "-" and value[10] == " ":
        try:
            return datetime.fromisoformat(value).replace(tzinfo=zone)
        except ValueError:
            pass
    raise Rejected(f"{value!r} is not a date and time like 2026-11-02 08:10:00", column)


def _clid_parts(clid: str) -> tuple[str, str]:
    """'"Jan Kowalski" <48221234567>' → ("Jan Kowalski", "48221234567")."""
    match = CLID_NUMBER.search(clid)
    if not match:
        return clid.strip().strip('"').strip(), ""
    return clid[: match.start()].strip().strip('"').strip(), match.group(1).strip()


class AsteriskParser:
    """Turns Master.csv records into ParsedCall (or raises Rejected)."""

    def __init__(self, zone: tzinfo, rate: Decimal, inbound_contexts: Iterable[str]):
        self.zone = zone
        self.rate = rate
        self.inbound_contexts = tuple(context.lower() for context in inbound_contexts)

    def delimiter(self, first_line: str) -> str:
        return ","

    def header(self, record: Record) -> bool:
        """Master.csv has no header: the first record is a call."""
        return False

    def check_not_empty(self) -> None:
        """An empty Master.csv is a quiet day on the switch."""

    def parse(self, line: int, fields: list[str]) -> ParsedCall:
        count = len(fields)
        if not 16 <= count <= 18:
            hint = ""
            if count < 16 and any(";" in value or "\t" in value for value in fields):
                hint = "; the fields seem separated by ';' or tabs, but Asterisk writes commas"
            elif count < 16:
                hint = " (is the line cut off?)"
            raise Rejected(f"{count} fields, but an Asterisk record has 16 to 18{hint}")
        (
            accountcode,
            src,
            dst,
            dcontext,
            clid,
            _channel,
            _dstchannel,
            _lastapp,
            _lastdata,
            start,
            answer,
            end,
            duration,
            billsec,
            disposition,
        ) = fields[:15]
        uniqueid = fields[16].strip() if count > 16 else ""
        userfield = fields[17].strip() if count > 17 else ""
        zone = self.zone
        started_at = _local_time(start, "start", zone)
        answered_at = _local_time(answer, "answer", zone) if answer else None
        ended_at = _local_time(end, "end", zone)
        if answered_at is not None and answered_at < started_at:
            raise Rejected("the answer time is before the start time", "answer")
        if ended_at < started_at:
            raise Rejected("the end time is before the start time", "end")
        seconds = read_seconds(duration, "duration")
        billed = read_seconds(billsec, "billsec")
        if billed > seconds:
            raise Rejected(f"billsec ({billed}) is longer than the duration ({seconds})", "billsec")
        state = DISPOSITIONS.get(disposition.strip().upper())
        if state is None:
            raise Rejected(
                f"{disposition!r} is not ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION",
                "disposition",
            )
        accountcode = accountcode.strip()
        if not accountcode:
            raise Rejected("no accountcode: the record names no account", "accountcode")
        if uniqueid:
            if len(uniqueid) > MAX_SOURCE_ID:
                raise Rejected(f"longer than {MAX_SOURCE_ID} characters", "uniqueid")
            source_id = uniqueid
        else:
            digest = hashlib.blake2b("\x1f".join(fields[:16]).encode(), digest_size=16)
            source_id = f"row-{digest.hexdigest()}"
        inbound = dcontext.strip().lower().startswith(self.inbound_contexts)
        name, clid_number = _clid_parts(clid) if inbound or not src else ("", "")
        if userfield and AMOUNT.fullmatch(userfield):
            charge = read_charge(userfield, "userfield")
        elif self.rate and not inbound and billed and state == ANSWERED:
            charge = (self.rate * billed / 60).quantize(validators.CENT, rounding=ROUND_HALF_UP)
        else:
            charge = NO_CHARGE
        return ParsedCall(
            line=line,
            account_code=accountcode,
            source=ASTERISK_SOURCE,
            source_id=source_id,
            started_at=started_at,
            answered_at=answered_at,
            duration=seconds,
            billed_seconds=billed,
            caller=read_number(src or clid_number, "src"),
            callee=read_number(dst, "dst"),
            direction=INBOUND if inbound else OUTBOUND,
            disposition=state,
            description=name[:MAX_DESCRIPTION] if inbound else "",
            charge=charge,
        )
