"""Asterisk's Master.csv (cdr_csv), as `manage.py import_cdrs --format asterisk` reads it.

No header; the columns are those of `asterisk_layout` (16 to 21, by cdr.conf). How an
Asterisk record becomes a leg of a call of an account:

- the account is the one whose account ID is the record's `accountcode`; a record without
  one (an internal call, a call the dialplan gave no account) is skipped and counted;
- the leg's identity: "<uniqueid>#<sequence>" with newcdrcolumns; otherwise
  "<uniqueid>#<fingerprint>", the fingerprint a hash of uniqueid, channel, dstchannel, start
  and disposition (Asterisk 12+ writes forked Dial, queue and transfer legs with one
  uniqueid, each a leg to keep); without a uniqueid, a hash of the whole record. The same
  line always maps to the same leg, so importing a file again adds nothing;
- legs of one call share the call key: `linkedid` when written, else the uniqueid;
- times are the switch's local time (`--tz`; `usegmtime=yes` is `--tz UTC`). A time of the
  repeated autumn hour is settled by the uniqueid's epoch (when the channel was made, so
  never after the start), else by an end or answer time that is not ambiguous, else the
  record is rejected: there is no way to know. A time the spring change skipped is rejected;
- direction and charge come later, from the account's numbers (`direction`, `rating`);
- caller is `src` (or the number in `clid` when `src` is empty), callee is `dst`; the
  description of an inbound call is the caller's name from `clid`, unescaped as Asterisk
  escapes it (`"Jan \\"JK\\" Kowalski" <601…>`).
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

from accounts.calls.asterisk_layout import Layout, layout_of, uniqueid_epoch
from accounts.calls.direction import INBOUND, OUTBOUND, UNKNOWN, DirectionRules
from accounts.calls.rating import Tariff
from accounts.calls.records import (
    MAX_DESCRIPTION,
    NO_CHARGE,
    ParsedCall,
    Rejected,
    check_no_nul,
    read_number,
    read_seconds,
)
from accounts.calls.switch_clock import SwitchClock, earliest_not_before, nearest
from accounts.csvfiles import Record
from accounts.models import CallRecord

ASTERISK_SOURCE = "asterisk"
ANSWERED = CallRecord.Disposition.ANSWERED.value
NO_ANSWER = CallRecord.Disposition.NO_ANSWER.value
FAILED = CallRecord.Disposition.FAILED.value
DISPOSITIONS = {
    "ANSWERED": ANSWERED,
    "NO ANSWER": NO_ANSWER,
    "BUSY": CallRecord.Disposition.BUSY.value,
    "FAILED": FAILED,
    # Asterisk 12 and later: the network could not complete the call.
    "CONGESTION": FAILED,
    # The caller hung up before anyone answered: a missed call.
    "CANCEL": NO_ANSWER,
}
# The leg id is "<uniqueid>#<sequence or fingerprint>" in a column of 128 characters.
MAX_UNIQUEID = 100
# initiatedseconds=yes rounds a started second up: billsec may exceed duration by one.
BILLSEC_ROUNDING = 1
ONE_SECOND = timedelta(seconds=1)


class Skipped(Exception):
    """A record that names no account: not a customer's call, counted in the summary."""


class AsteriskParser:
    """Turns Master.csv records into ParsedCall legs (or raises Rejected or Skipped)."""

    def __init__(
        self,
        zone: tzinfo,
        tariff: Tariff,
        rules: DirectionRules,
        layout: Layout | None = None,
    ):
        self.clock = SwitchClock(zone)
        self.tariff = tariff
        self.rules = rules
        self.stated_layout = layout
        self.layouts: Counter[Layout] = Counter()
        self._charges: dict[int, Decimal] = {}

    def delimiter(self, first_line: str) -> str:
        return ","

    def header(self, record: Record) -> bool:
        """Master.csv has no header: the first record is a call."""
        return False

    def check_not_empty(self) -> None:
        """An empty Master.csv is a quiet day on the switch."""

    def parse(self, line: int, fields: list[str]) -> ParsedCall:
        # Fields by position (BASE_COLUMNS): this runs a million times per file.
        layout = layout_of(fields, self.stated_layout)
        if "\x00" in "".join(fields):
            check_no_nul(fields, layout.columns)
        self.layouts[layout] += 1
        accountcode = fields[0].strip()
        if not accountcode:
            raise Skipped
        seconds = read_seconds(fields[12], "duration")
        billed = read_seconds(fields[13], "billsec")
        if billed > seconds + BILLSEC_ROUNDING:
            raise Rejected(f"billsec ({billed}) is longer than the duration ({seconds})", "billsec")
        disposition = fields[14]
        state = DISPOSITIONS.get(disposition) or DISPOSITIONS.get(disposition.strip().upper())
        if state is None:
            raise Rejected(
                f"{disposition[:40]!r} is not ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION "
                "or CANCEL",
                "disposition",
            )
        uniqueid_at = layout.uniqueid_at
        uniqueid = fields[uniqueid_at].strip() if uniqueid_at >= 0 else ""
        started_at, answered_at = self._times(fields, uniqueid, seconds, billed)
        source_id, call_key = _identity(layout, fields, uniqueid)
        src = fields[1].strip()
        clid = fields[4]
        return ParsedCall(
            line=line,
            account_code=accountcode,
            source=ASTERISK_SOURCE,
            source_id=source_id,
            started_at=started_at,
            answered_at=answered_at,
            duration=seconds,
            billed_seconds=billed,
            caller=read_number(src or clid_parts(clid)[1], "src"),
            callee=read_number(fields[2], "dst"),
            direction=UNKNOWN,
            disposition=state,
            # The clid until settle(): only an inbound call is described by the caller's name.
            description=clid,
            charge=NO_CHARGE,
            call_key=call_key,
            context=fields[3].strip(),
        )

    def settle(self, call: ParsedCall, own_numbers: frozenset[str]) -> None:
        """Direction, description and charge, once the account (and its numbers) is known."""
        call.direction = self.rules.direction(call.context, call.caller, call.callee, own_numbers)
        if call.direction == INBOUND:
            call.description = clid_parts(call.description)[0][:MAX_DESCRIPTION]
        else:
            call.description = ""
        if self.tariff and call.direction == OUTBOUND and call.disposition == ANSWERED:
            # Decimal arithmetic per call is the slow part of rating, and a file has only a
            # few thousand distinct billsec values: each is priced once.
            charge = self._charges.get(call.billed_seconds)
            if charge is None:
                charge = self._charges[call.billed_seconds] = self.tariff.charge(
                    call.billed_seconds
                )
            call.charge = charge

    @property
    def zone_name(self) -> str:
        return self.clock.zone_name

    def layouts_seen(self) -> list[tuple[str, int]]:
        return [(layout.describe(), count) for layout, count in self.layouts.most_common()]

    def _times(
        self, fields: list[str], uniqueid: str, seconds: int, billed: int
    ) -> tuple[datetime, datetime | None]:
        clock = self.clock
        start, answer, end = fields[9], fields[10], fields[11]
        starts = clock.instants(start, "start")
        ends = clock.instants(end, "end") if end else ()
        answers = clock.instants(answer, "answer") if answer else ()
        started_at = starts[0] if len(starts) == 1 else None
        if started_at is None:
            started_at = _settle_start(starts, uniqueid, ends, answers, seconds, billed)
            if started_at is None:
                raise Rejected(
                    f"{start} happened twice in {clock.zone_name} (the clock went back "
                    "an hour), and nothing in the record tells which: it has no uniqueid, and "
                    "its end time is as ambiguous. If the switch writes UTC (usegmtime=yes), "
                    "import with --tz UTC",
                    "start",
                )
        earliest = started_at - ONE_SECOND
        answered_at = None
        if len(answers) == 1:  # the usual case, without a call per row
            answered_at = answers[0] if answers[0] >= earliest else None
        elif answers:
            # The answer comes after the ringing: duration - billsec seconds after the start.
            answered_at = _within_call(answers, started_at, seconds - billed)
        if answers and answered_at is None:
            raise Rejected("the answer time is before the start time", "answer")
        if len(ends) == 1:
            if ends[0] < earliest:
                raise Rejected("the end time is before the start time", "end")
        elif ends and _within_call(ends, started_at, seconds) is None:
            raise Rejected("the end time is before the start time", "end")
        return started_at, answered_at


def _settle_start(
    starts: tuple[datetime, ...],
    uniqueid: str,
    ends: tuple[datetime, ...],
    answers: tuple[datetime, ...],
    seconds: int,
    billed: int,
) -> datetime | None:
    """Which of the two instants of an ambiguous start time the record means, if it says."""
    epoch = uniqueid_epoch(uniqueid) if uniqueid else None
    if epoch is not None:
        made = datetime.fromtimestamp(epoch, tz=starts[0].tzinfo)
        # The channel is made before the call starts, and (sanely) not a day before it.
        if starts[0] - made < timedelta(days=1):
            chosen = earliest_not_before(starts, made)
            if chosen is not None:
                return chosen
    if len(ends) == 1:
        return nearest(starts, ends[0] - timedelta(seconds=seconds))
    if len(answers) == 1:
        return nearest(starts, answers[0] - timedelta(seconds=seconds - billed))
    return None


def _within_call(instants: tuple[datetime, ...], start: datetime, expected: int) -> datetime | None:
    """Of a time's instants, one not before the start, nearest where it should be."""
    fitting = tuple(instant for instant in instants if instant >= start - ONE_SECOND)
    if not fitting:
        return None
    return nearest(fitting, start + timedelta(seconds=expected))


def _identity(layout: Layout, fields: list[str], uniqueid: str) -> tuple[str, str]:
    """The leg's id and its call's key (see the module's docstring)."""
    if len(uniqueid) > MAX_UNIQUEID:
        raise Rejected(f"longer than {MAX_UNIQUEID} characters", "uniqueid")
    linkedid_at = layout.linkedid_at
    linkedid = fields[linkedid_at].strip() if linkedid_at >= 0 else ""
    if len(linkedid) > MAX_UNIQUEID:
        raise Rejected(f"longer than {MAX_UNIQUEID} characters", "linkedid")
    # newcdrcolumns without loguniqueid: the linkedid names the call as well.
    base = uniqueid or linkedid
    if not base:
        digest = hashlib.blake2b("\x1f".join(fields[:16]).encode(), digest_size=16)
        return f"row-{digest.hexdigest()}", ""
    sequence = fields[linkedid_at + 1].strip() if linkedid_at >= 0 else ""
    if sequence:
        if not (sequence.isascii() and sequence.isdigit() and len(sequence) <= 10):
            raise Rejected(f"{sequence[:20]!r} is not a sequence number", "sequence")
        leg = sequence
    else:
        # Channel, dstchannel, start and disposition (the uniqueid is the id's prefix already).
        # It only tells apart the few legs of one uniqueid: 32 bits are plenty, and a short
        # id keeps the index of every call small. CRC-32 is stable across runs and machines.
        fingerprint = f"{fields[5]}\x1f{fields[6]}\x1f{fields[9]}\x1f{fields[14]}"
        leg = f"{zlib.crc32(fingerprint.encode()):08x}"
    return f"{base}#{leg}", linkedid or uniqueid


def clid_parts(clid: str) -> tuple[str, str]:
    """'"Jan \\"JK\\" Kowalski" <48221234567>' → ('Jan "JK" Kowalski', "48221234567").

    Asterisk quotes the name and escapes a quote or a backslash in it with a backslash
    (ast_callerid_merge); a name without quotes is taken as it stands.
    """
    clid = clid.strip()
    number = ""
    if clid.endswith(">") and (opening := clid.rfind("<")) >= 0:
        number = clid[opening + 1 : -1].strip()
        clid = clid[:opening].rstrip()
    if len(clid) >= 2 and clid[0] == '"':
        clid = _unescape(clid[1:-1] if clid.endswith('"') else clid[1:])
    return clid.strip(), number


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out = []
    escaped = False
    for char in text:
        if escaped or char != "\\":
            out.append(char)
            escaped = False
        else:
            escaped = True
    return "".join(out)
