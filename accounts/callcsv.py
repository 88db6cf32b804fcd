"""Konto's own CSV format for call records: what the call history exports and
`manage.py import_cdrs --format konto` reads back.

One header row with these columns, in this order (the importer accepts any order):

- call_id: "<source>:<source id>", the call's identity (imports are idempotent on it);
- account_id: the account's ID ("ID Konta");
- start_time, answer_time: ISO 8601 in the account's time zone with the UTC offset
  ("2026-11-24T10:15:00+01:00"); answer_time is empty for an unanswered call;
- caller, callee: numbers as the switch gave them (caller empty for anonymous calls);
- direction: in | out | internal;
- duration, billed_seconds: whole seconds;
- disposition: answered | no_answer | busy | failed;
- description: free text;
- charge: the amount charged, dot as the decimal separator ("0.12");
- currency: the account's currency.

UTF-8 with a byte-order mark, so spreadsheet programs open Polish characters correctly.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from accounts.models import Account, CallRecord

COLUMNS = [
    "call_id",
    "account_id",
    "start_time",
    "answer_time",
    "caller",
    "callee",
    "direction",
    "duration",
    "billed_seconds",
    "disposition",
    "description",
    "charge",
    "currency",
]
ENCODING = "utf-8-sig"


def _iso(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else ""


def call_id(call: CallRecord) -> str:
    return f"{call.source}:{call.source_id}"


def row_for_call(call: CallRecord, account: Account) -> list[str]:
    """The CSV cells of one call, in COLUMNS order, times in the account's time zone."""
    zone = account.zone
    return [
        call_id(call),
        account.account_id,
        _iso(call.started_at, zone),
        _iso(call.answered_at, zone),
        call.caller,
        call.callee,
        call.direction,
        str(call.duration),
        str(call.billed_seconds),
        call.disposition,
        call.description,
        f"{call.charge:.2f}",
        account.currency,
    ]
