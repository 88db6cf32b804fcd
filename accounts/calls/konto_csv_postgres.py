"""The Konto call CSV (accounts.calls.konto_csv) written by PostgreSQL itself, for exports.

Formatting a million calls in Python, however lean, held the export to about 90,000 rows a
second, while `COPY … TO STDOUT` writes 600,000. So on PostgreSQL the export is a COPY of one
SELECT that writes every cell as konto_csv's Python does, for the same calls in the same order
(the queryset of the history's filters):

- times in the account's zone with their offset: to_char under the account's TimeZone, set
  for this transaction only;
- the cells with outside text guarded by the same rule as konto_csv.guard_cell: past any
  leading apostrophes, text that starts like a formula and is not a plain number gets one
  apostrophe more;
- empty text as NULL, which COPY writes as an empty unquoted cell (as Python's csv module
  does; COPY would quote an empty string), quoting as Python's csv module quotes;
- rows ending in CRLF like konto_csv's: PostgreSQL sends each row as one message, ending in
  LF, so the LF that ends the message is the row's end, never one inside a quoted cell.

tests/accounts/test_calls_export_postgres.py checks that both write the same bytes for calls
made to be awkward (formulas, apostrophes, quotes, commas, line breaks, clock changes).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Func, QuerySet, TextField, Value
from django.db.models.functions import Cast

from accounts.calls.konto_csv import COLUMNS, PIECE_SIZE, guard_cell
from accounts.models import Account, CallRecord

# konto_csv.FORMULA_STARTS and PLAIN_NUMBER, as PostgreSQL regular expressions.
_FORMULA_START = "('^[-=+@' || chr(9) || chr(13) || ']')"
_PLAIN_NUMBER = r"'^[+-]?[0-9]+(\.[0-9]+)?$'"


# The first characters of text the guard may change: an apostrophe and FORMULA_STARTS.
_GUARD_FIRSTS = "(39, 61, 43, 45, 64, 9, 13)"


class _Guarded(Func):
    # Two short cuts before the rule itself, which costs two regular expressions a cell: most
    # text starts with none of the characters that matter (ascii('') is 0), and most of the
    # rest is a number ("+48221234567"), which the plain number's expression settles alone.
    output_field = TextField()
    template = (
        f"CASE WHEN ascii(%(expressions)s) NOT IN {_GUARD_FIRSTS} "
        "THEN NULLIF(%(expressions)s, '') "
        f"WHEN %(expressions)s ~ {_PLAIN_NUMBER} THEN %(expressions)s "
        f"WHEN ltrim(%(expressions)s, '''') ~ {_FORMULA_START} "
        f"AND ltrim(%(expressions)s, '''') !~ {_PLAIN_NUMBER} "
        "THEN '''' || %(expressions)s ELSE NULLIF(%(expressions)s, '') END"
    )


class _LocalTime(Func):
    # "2026-11-24T10:15:00+01:00" in the session's TimeZone (the account's: copy_pieces).
    output_field = TextField()
    template = """to_char(%(expressions)s, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM')"""


def _cells(account: Account) -> list[Any]:
    """konto_csv._Cells as SQL, in COLUMNS order."""
    return [
        # "<source>:<source id>", written without a parameter: the guard repeats its argument.
        _Guarded(
            Func(
                F("source"),
                F("source_id"),
                template="(%(expressions)s)",
                arg_joiner=" || ':' || ",
                output_field=TextField(),
            )
        ),
        Value(guard_cell(account.account_id), output_field=TextField()),
        _LocalTime(F("started_at")),
        _LocalTime(F("answered_at")),
        _Guarded(F("caller")),
        _Guarded(F("callee")),
        F("direction"),
        Cast(F("duration"), TextField()),
        Cast(F("billed_seconds"), TextField()),
        F("disposition"),
        _Guarded(F("description")),
        Cast(F("charge"), TextField()),  # numeric(12, 2): "0.12", "-12.50"
        Value(guard_cell(account.currency), output_field=TextField()),
    ]


def copy_pieces(calls: QuerySet[CallRecord], account: Account) -> Iterator[bytes]:
    """The calls as konto_csv.csv_pieces writes them, header first, in pieces, by COPY."""
    sql, params = calls.values_list(*_cells(account)).query.sql_with_params()
    header = ",".join(COLUMNS) + "\r\n"
    piece = bytearray(("\ufeff" + header).encode())
    with transaction.atomic(), connection.cursor() as cursor:
        # For this transaction only; and put back, in case it is part of a longer one (Django
        # expects its connections in UTC). An export cut short is rolled back, which undoes it.
        cursor.execute(
            "SELECT current_setting('TimeZone'), set_config('TimeZone', %s, true)",
            [account.time_zone],
        )
        (previous, _zone) = cursor.fetchone()
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
            for row in copy:
                piece += row[:-1]
                piece += b"\r\n"
                if len(piece) >= PIECE_SIZE:
                    yield bytes(piece)
                    piece.clear()
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [previous])
    yield bytes(piece)
