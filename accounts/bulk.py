"""Inserting many rows at once: PostgreSQL's COPY where we run on it, bulk_create elsewhere.

Call-record imports write a million rows; Django's bulk_create spends about 50 µs of Python
per row building INSERT statements, COPY about a tenth of that. Both paths return the new
primary keys, so callers can link rows to each other (a ledger entry to its call).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models.options import Options

# bulk_create's statements stay below SQLite's limit on bound parameters.
ORM_BATCH_SIZE = 500

T = TypeVar("T")


def chunks(values: Sequence[T], size: int = ORM_BATCH_SIZE) -> Iterator[Sequence[T]]:
    """`values` in slices of `size`: for lookups and deletes by `__in` that stay below
    SQLite's limit on bound parameters."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[object]]
) -> list[int]:
    """Insert `rows` (value tuples in the order of `fields`) and return their new primary keys.

    `fields` are attribute names (`account_id`, not `account`). The values must be what the
    database stores, as plain Python values: str, int, Decimal, aware datetime or None; on
    PostgreSQL they go to COPY without passing through the fields' conversions.
    """
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        return _copy_rows(connection, model, fields, rows)
    objects = model._default_manager.bulk_create(
        [model(**dict(zip(fields, row, strict=True))) for row in rows],
        batch_size=ORM_BATCH_SIZE,
    )
    return [obj.pk for obj in objects]


def _copy_rows(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[object]],
) -> list[int]:
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.pk.column] + [_column(meta, name) for name in fields]
    with connection.cursor() as cursor:
        ids = _next_ids(cursor, meta, len(rows))
        statement = "COPY {} ({}) FROM STDIN".format(
            quote(meta.db_table), ", ".join(quote(column) for column in columns)
        )
        with cursor.cursor.copy(statement) as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row))
    return ids


def _next_ids(cursor: CursorWrapper, meta: Options[Any], count: int) -> list[int]:
    # Take the keys from the table's own sequence first: COPY cannot return them, and the
    # sequence hands out each value once, however many imports run at the same time.
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [meta.db_table, meta.pk.column, count],
    )
    return [row[0] for row in cursor.fetchall()]


def _column(meta: Options[Any], attname: str) -> str:
    for field in meta.concrete_fields:
        if field.attname == attname:
            return field.column
    raise ValueError(f"{meta.label} has no field {attname!r}")


def ids_by_value(
    model: type[models.Model], field: str, values: Sequence[str], **equal: str | int
) -> list[tuple[str, int]]:
    """(value, primary key) of the rows whose `field` is one of `values` and that have the
    `equal` values: which of a batch's keys are already stored.

    `field` and the `equal` fields must together be unique (each value finds at most one row).
    """
    if not values:
        return []
    connection = connections[router.db_for_read(model)]
    if connection.vendor == "postgresql":
        return _pg_ids_by_value(connection, model, field, values, equal)
    found: list[tuple[str, int]] = []
    for start in range(0, len(values), ORM_BATCH_SIZE):
        chunk = values[start : start + ORM_BATCH_SIZE]
        found.extend(
            model._default_manager.filter(**{f"{field}__in": chunk}, **equal).values_list(
                field, "pk"
            )
        )
    return found


def _pg_ids_by_value(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    field: str,
    values: Sequence[str],
    equal: dict[str, str | int],
) -> list[tuple[str, int]]:
    meta = model._meta
    quote = connection.ops.quote_name
    names = {
        "table": quote(meta.db_table),
        "pk": quote(meta.pk.column),
        "field": quote(_column(meta, field)),
        "equal": "".join(f" AND {quote(_column(meta, name))} = %s" for name in equal),
    }
    # Identifiers come from the model's metadata, quoted; the values are parameters.
    # First one range scan between the batch's smallest and largest value: the keys of one
    # file usually sit together in the index (Asterisk's uniqueids grow with time), so this
    # finds them all in a few milliseconds. The database orders the values itself, by the
    # column's collation; ORDER BY … LIMIT keeps the plan on the index even when the
    # table's statistics are stale (just after a large import, before autovacuum has run).
    limit = 2 * len(values) + 100
    array, param = _text_array(values)
    in_range = """
        WITH wanted AS (SELECT unnest({array}) AS value)
        SELECT {field}, {pk} FROM {table}
        WHERE {field} >= (SELECT min(value) FROM wanted)
          AND {field} <= (SELECT max(value) FROM wanted){equal}
        ORDER BY {field}
        LIMIT %s
    """.format(**names, array=array)  # noqa: S608
    # When the range holds many other rows too, one index probe per value (a nested loop over
    # the array), whatever the planner's statistics say. The plainer `field = ANY(%s)` lets a
    # table whose statistics are stale (just after a large import, before autovacuum has
    # analysed it) be scanned whole for every batch.
    probes = """
        SELECT wanted.value, found.pk FROM unnest({array}) AS wanted(value)
        CROSS JOIN LATERAL (
            SELECT {pk} AS pk FROM {table} WHERE {field} = wanted.value{equal} LIMIT 1
        ) AS found
    """.format(**names, array=array)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(in_range, [param, *equal.values(), limit])
        rows = cursor.fetchall()
        if len(rows) < limit:
            wanted = set(values)
            return [row for row in rows if row[0] in wanted]
        cursor.execute(probes, [param, *equal.values()])
        return cursor.fetchall()


def stored_pairs(
    model: type[models.Model], field: str, values: Sequence[str], owner: str
) -> set[tuple[str, int]]:
    """(value, owner id) of the rows whose `field` is one of `values`: which of a batch's call
    keys have a leg stored already, and in which account.

    `field` needs an index whose condition is `field <> ''` or none; `owner` is an attname
    (`account_id`). On PostgreSQL, one range scan between the smallest and the largest value
    first, then, when the range holds too many other rows, one index probe per value (a nested
    loop over the array), so a table whose statistics are stale is never scanned whole.
    """
    if not values:
        return set()
    connection = connections[router.db_for_read(model)]
    if connection.vendor != "postgresql":
        found: set[tuple[str, int]] = set()
        for start in range(0, len(values), ORM_BATCH_SIZE):
            rows = (
                model._default_manager.filter(
                    **{f"{field}__in": values[start : start + ORM_BATCH_SIZE]}
                )
                .values_list(field, owner)
                .order_by()
                .distinct()
            )
            found.update(rows)
        return found
    meta = model._meta
    quote = connection.ops.quote_name
    names = {
        "table": quote(meta.db_table),
        "field": quote(_column(meta, field)),
        "owner": quote(_column(meta, owner)),
    }
    wanted = list(set(values))
    array, param = _text_array(wanted)
    # As in _pg_ids_by_value: first one range scan between the smallest and the largest
    # value (a batch's call keys sit together in the index, as uniqueids grow with time),
    # ordered by the database, whose collation need not be Python's; when the range holds
    # too many other rows, one probe per value.
    limit = 4 * len(wanted) + 100
    in_range = """
        WITH wanted AS (SELECT unnest({array}) AS value)
        SELECT {field}, {owner} FROM {table}
        WHERE {field} >= (SELECT min(value) FROM wanted)
          AND {field} <= (SELECT max(value) FROM wanted) AND {field} <> ''
        ORDER BY {field}
        LIMIT %s
    """.format(**names, array=array)  # noqa: S608
    probes = """
        SELECT wanted.value, found.owner FROM unnest({array}) AS wanted(value)
        CROSS JOIN LATERAL (
            SELECT {owner} AS owner FROM {table}
            WHERE {field} = wanted.value AND {field} <> ''
        ) AS found
    """.format(**names, array=array)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(in_range, [param, limit])
        rows = cursor.fetchall()
        if len(rows) >= limit:
            cursor.execute(probes, [param])
            rows = cursor.fetchall()
    wanted_set = set(wanted)
    return {(value, owner_id) for value, owner_id in rows if value in wanted_set}


# Joins a batch's keys into one text parameter: sending one string and splitting it in the
# database costs a fraction of adapting a Python list of thousands of strings to an array.
# The unit separator never occurs in a switch's ids; should a value hold it, the list goes
# as an array after all.
SEPARATOR = "\x1f"


def _text_array(values: Sequence[str]) -> tuple[str, str | list[str]]:
    """SQL for `values` as a text[] parameter, and the parameter."""
    if any(SEPARATOR in value for value in values):
        return "%s::text[]", list(values)
    return "string_to_array(%s, chr(31))", SEPARATOR.join(values)
