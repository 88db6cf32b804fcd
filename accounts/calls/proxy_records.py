"""The SIP proxy's call records as legs of the accounts' calls (read by `sync_switch_calls`).

Kamailio's `acc` module, with the `dialog` module's CDR engine, writes into Konto's database
(the tables are `accounts.sip.models`; the proxy runs with TZ=UTC, so their times are UTC):

- `acc_cdrs` (SipCdr): one row per answered call, written when it ends: `start_time` (when it
  was answered), `end_time`, `duration` (seconds, fractional);
- `missed_calls` (SipMissedCall): one row per INVITE that failed, with its final reply's
  `sip_code` and the `time` of it;
- both with the proxy's extras: `callid`, `src_user` (the caller as the callee was shown it),
  `dst_user` (the dialled number), `src_account` (the authenticated caller's account ID, or
  "") and `dst_account` (the callee's account ID, or "").

How a record becomes legs (ParsedCall, for importer.CallImport.run_parsed):

- every account the record names gets a leg: the caller's is outbound, the callee's inbound,
  so a call between two accounts is in both histories; a call to one's own number is one
  internal leg. A record naming no account (no customer's call) is skipped and counted;
- a leg's id (`source_id`) is "<callid>#<c|m><row id>-<direction>": the call, the record (c
  for acc_cdrs, m for missed_calls) and the leg, so reading a record again adds nothing. The
  legs of one call share the call key (the callid): a failed branch and the answered one are
  one call in the history, shown by the answered leg. A callid longer than MAX_CALLID (the
  phone chooses it) is replaced by its hash;
- answered: started and answered at `start_time`; duration and billed seconds are the
  started seconds of `duration` (12.2 s is 13 s, as Asterisk's initiatedseconds bills);
- not answered: at `time`, 0 seconds, the disposition from `sip_code` by SIP's meaning
  (RFC 3261 §21): 486 Busy Here and 600 Busy Everywhere are busy; 408 Request Timeout, 480
  Temporarily Unavailable (no phone registered, or it did not answer) and 487 Request
  Terminated (the caller hung up first) are no answer: nobody took the call; every other
  failure (603 Decline, as the proxy answers a call that call screening rejects, 403, 404,
  484, 488, 5xx, 604, 606, 3xx) is failed: the call was refused or could not be put through.
  401 and 407 are digest challenges, which the phone answers by sending the INVITE again
  with its credentials: no call, skipped. Only INVITEs are calls;
- the SIP reason phrase is not kept: the callee's side writes it, and it may name the rule
  that rejected the call, which is not the caller's business;
- charged: answered outbound legs, by the tariff (SWITCH_CALL_RATE per minute,
  SWITCH_CALL_INCREMENT); inbound and internal legs cost nothing.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date, datetime

from accounts.calls.asterisk_csv import Skipped
from accounts.calls.direction import INBOUND, INTERNAL, OUTBOUND
from accounts.calls.rating import Tariff
from accounts.calls.records import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_SECONDS,
    NO_CHARGE,
    ParsedCall,
    Rejected,
    read_number,
)
from accounts.models import CallRecord
from accounts.sip.models import SipCdr, SipMissedCall

PROXY_SOURCE = "kamailio"
CDR_TABLE = "acc_cdrs"
MISSED_TABLE = "missed_calls"
ANSWERED = CallRecord.Disposition.ANSWERED.value
BUSY = CallRecord.Disposition.BUSY.value
NO_ANSWER = CallRecord.Disposition.NO_ANSWER.value
FAILED = CallRecord.Disposition.FAILED.value
BUSY_CODES = frozenset({"486", "600"})
NO_ANSWER_CODES = frozenset({"408", "480", "487"})
CHALLENGE_CODES = frozenset({"401", "407"})
# The leg id "<callid>#c<row id>-internal" fits CallRecord.source_id's 128 characters.
MAX_CALLID = 100
# Kamailio's default start time, written when the dialog gave none: no time of a call.
NO_TIME = date(2000, 1, 1)


def legs(caller_account: str, callee_account: str) -> list[tuple[str, str]]:
    """(account ID, direction) of each leg a record naming these accounts gives."""
    if caller_account and caller_account == callee_account:
        return [(caller_account, INTERNAL)]
    found = []
    if caller_account:
        found.append((caller_account, OUTBOUND))
    if callee_account:
        found.append((callee_account, INBOUND))
    return found


def disposition(sip_code: str) -> str:
    """What a failed INVITE's final reply means for the call (see the module's docstring)."""
    if sip_code in BUSY_CODES:
        return BUSY
    if sip_code in NO_ANSWER_CODES:
        return NO_ANSWER
    return FAILED


class ProxyRecords:
    """Turns the proxy's records into legs, rated by `tariff`.

    Each method raises Rejected for a record that cannot be imported, and Skipped for one
    that is no call of an account.
    """

    def __init__(self, tariff: Tariff):
        self.tariff = tariff

    def answered(self, cdr: SipCdr) -> list[ParsedCall]:
        _check_time(cdr.start_time, "start_time")
        if not 0 <= cdr.duration <= MAX_SECONDS:
            raise Rejected(f"{cdr.duration} seconds is not the length of a call", "duration")
        # Rounded to the millisecond first: a REAL holds 5.0 as 5.0000001.
        seconds = math.ceil(round(cdr.duration, 3))
        calls = self._legs(cdr.id, "c", cdr, cdr.start_time)
        for call in calls:
            call.answered_at = cdr.start_time
            call.duration = call.billed_seconds = seconds
            call.disposition = ANSWERED
            if call.direction == OUTBOUND and self.tariff:
                call.charge = self.tariff.charge(seconds)
        return calls

    def missed(self, row: SipMissedCall) -> list[ParsedCall]:
        code = row.sip_code.strip()
        if row.method.strip().upper() != "INVITE" or code in CHALLENGE_CODES:
            raise Skipped
        if not (len(code) == 3 and code.isascii() and code.isdigit() and "3" <= code[0] <= "6"):
            raise Rejected(f"{code!r} is not the code of a failed call (300 to 699)", "sip_code")
        _check_time(row.time, "time")
        calls = self._legs(row.id, "m", row, row.time)
        for call in calls:
            call.disposition = disposition(code)
        return calls

    def _legs(
        self, row_id: int, kind: str, row: SipCdr | SipMissedCall, at: datetime
    ) -> list[ParsedCall]:
        found = legs(row.src_account.strip(), row.dst_account.strip())
        if not found:
            raise Skipped
        callid = _callid(row.callid.strip())
        caller = read_number(row.src_user, "src_user")
        callee = read_number(row.dst_user, "dst_user")
        return [
            ParsedCall(
                line=row_id,
                account_code=account_id,
                source=PROXY_SOURCE,
                source_id=f"{callid}#{kind}{row_id}-{direction}",
                started_at=at,
                answered_at=None,
                duration=0,
                billed_seconds=0,
                caller=caller,
                callee=callee,
                direction=direction,
                disposition=FAILED,
                description="",
                charge=NO_CHARGE,
                call_key=callid,
            )
            for account_id, direction in found
        ]


def _callid(callid: str) -> str:
    if not callid:
        raise Rejected("no Call-ID", "callid")
    if len(callid) > MAX_CALLID:
        return "sha256-" + hashlib.sha256(callid.encode()).hexdigest()[:64]
    return callid


def _check_time(moment: datetime, column: str) -> None:
    if moment.date() == NO_TIME:
        raise Rejected("no time: the proxy wrote its default, 2000-01-01", column)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise Rejected(f"{moment}: not the time of a real call", column)
