"""Indexes for the admin's search of the ledger and the audit trail on PostgreSQL
(accounts.admin.search.matching_records).

A ledger search looks for words in the entry's description (a charged call's is its callee's
number) and an audit search for part of the event's kind or the staff user's exact name, as
`icontains` and `iexact` compare them: UPPER(column::text). At a million entries every such
search read the whole table. Trigram GIN indexes (pg_trgm, created by migration 0011) answer
both `LIKE '%…%'` and `=` over exactly those expressions.

SQLite has no such index; its searches stay a scan.
"""

from django.db import migrations

INDEXES = {
    "balanceentry_search_trgm": ("accounts_balanceentry", ["description"]),
    "auditevent_search_trgm": ("accounts_auditevent", ["kind", "actor_label"]),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, columns) in INDEXES.items():
        expressions = ", ".join(f"(UPPER({column}::text)) gin_trgm_ops" for column in columns)
        schema_editor.execute(f"CREATE INDEX {name} ON {table} USING gin ({expressions})")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0013_admin_search_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
