"""The rows of the Excel export's sheet (accounts.calls.xlsx) written by PostgreSQL itself.

Formatting each row in Python held the workbook to about 120,000 rows a second, while the
database formats and sends a million short texts in a couple of seconds. So on PostgreSQL one
SELECT writes every row's XML as accounts.spreadsheet and accounts.calls.xlsx do, for the same
calls in the same order (the queryset of the history's filters), and Python only zips it:

- the start time as the serial number of the account's wall-clock time: whole seconds since
  1970-01-01 of `started_at AT TIME ZONE <zone>`, over 86,400, plus 25,569, in double precision
  like Python's (so the number, read back, is the same);
- text cells as spreadsheet.text_cell writes them: the characters XML forbids left out, & < >
  escaped, the backslash, tab, line feed and carriage return as references,
  xml:space="preserve" when the text starts or ends with a space, an empty cell for no text;
- direction and result as the words of the customer's language (passed in, as Python builds
  them), durations as fractions of a day, charges as numerics' text.

The rows come by COPY in its text format, which escapes only characters no row holds, so each
goes into the zip as it comes, less the line feed that ends it (in binary, as bytea, COPY took
a third longer and Python unpacked every row). tests/accounts/test_calls_export_xlsx_postgres.py reads both writers' workbooks back
for calls made to be awkward and checks that every cell is the same.
"""

from __future__ import annotations

from typing import IO

from django.db import connection
from django.db.models import Case, F, Func, QuerySet, TextField, Value, When

from accounts.calls.xlsx import word_cells, workbook_of
from accounts.models import Account, CallRecord
from accounts.spreadsheet import (
    AMOUNT,
    DATE_TIME,
    DURATION,
    SECONDS_PER_DAY,
    TEXT,
    UNIX_EPOCH_SERIAL,
    SheetWriter,
)

# spreadsheet._FORBIDDEN as a PostgreSQL bracket expression (the database holds no NUL).
_FORBIDDEN = r"\x01-\x08\x0b\x0c\x0e-\x1f\uFFFE\uFFFF"
# spreadsheet._ESCAPES, & first, as SQL: what is left is nothing COPY's text format escapes.
_REFERENCES = [
    ("'&'", "&amp;"),
    ("'<'", "&lt;"),
    ("'>'", "&gt;"),
    ("'\\'", "&#92;"),
    ("chr(9)", "&#9;"),
    ("chr(10)", "&#10;"),
    ("chr(13)", "&#13;"),
]


class _Sql(Func):
    output_field = TextField()


def _text_cell(field: str) -> _Sql:
    """spreadsheet.text_cell of a column. As there, the usual text (a number, a name) is
    written as it is after one test; only text with something to escape or leave out, or a
    space at an end, goes through the rest."""
    escaped = f"regexp_replace(%(expressions)s, '[{_FORBIDDEN}]', '', 'g')"
    # & first: the references written after it are not to be escaped again.
    for character, reference in _REFERENCES:
        escaped = f"replace({escaped}, {character}, '{reference}')"
    cell = f'\'<c s="{TEXT}" t="inlineStr"><is><t'
    return _Sql(
        F(field),
        template=(
            f"CASE WHEN %(expressions)s = '' THEN '<c s=\"{TEXT}\"/>' "
            f"WHEN %(expressions)s !~ '[&<>\\\\\\t\\n\\r{_FORBIDDEN}]|^ | $' "
            f"THEN {cell}>' || %(expressions)s || '</t></is></c>' "
            f"WHEN %(expressions)s !~ '[^{_FORBIDDEN}]' THEN '<c s=\"{TEXT}\"/>' "
            f"ELSE {cell}' || CASE WHEN %(expressions)s ~ '^[{_FORBIDDEN}]* |"
            f" [{_FORBIDDEN}]*$' THEN ' xml:space=\"preserve\"' ELSE '' END || '>' || "
            f"{escaped} || '</t></is></c>' END"
        ),
    )


def _word_cell(field: str, cells: dict[str, str]) -> Case:
    """The cell of a code's word (a direction, a result); a code without one as its text."""
    whens = [When(**{field: code}, then=Value(cell)) for code, cell in cells.items()]
    return Case(*whens, default=_text_cell(field), output_field=TextField())


def _row(account: Account) -> _Sql:
    """accounts.calls.xlsx's row of a call, "<row>…</row>"."""
    started = _Sql(
        F("started_at"),
        Value(account.time_zone),
        template=(
            f"'<c s=\"{DATE_TIME}\"><v>' || ({UNIX_EPOCH_SERIAL} + "
            f"FLOOR(date_part('epoch', %(expressions)s)) / {SECONDS_PER_DAY})::text"
            " || '</v></c>'"
        ),
        arg_joiner=" AT TIME ZONE ",
    )
    duration = _Sql(
        F("duration"),
        template=(
            f"'<c s=\"{DURATION}\"><v>' || (%(expressions)s::float8 / {SECONDS_PER_DAY})::text"
            " || '</v></c>'"
        ),
    )
    charge = _Sql(
        F("charge"), template=f"'<c s=\"{AMOUNT}\"><v>' || %(expressions)s::text || '</v></c>'"
    )
    return _Sql(
        started,
        _text_cell("caller"),
        _text_cell("callee"),
        _word_cell("direction", word_cells(CallRecord.Direction)),
        duration,
        _word_cell("disposition", word_cells(CallRecord.Disposition)),
        _text_cell("description"),
        charge,
        template="'<row>' || %(expressions)s || '</row>'",
        arg_joiner=" || ",
    )


def workbook_file(calls: QuerySet[CallRecord], account: Account) -> IO[bytes]:
    """xlsx.workbook_file of the calls, its rows written by the database."""
    sql, params = calls.values_list(_row(account)).query.sql_with_params()

    def write(sheet: SheetWriter) -> None:
        # COPY's text format, which escapes only what no row holds: each row as it is, with
        # the line feed that ends it.
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy,
        ):
            sheet.rows_xml(copy)

    return workbook_of(account, write)
