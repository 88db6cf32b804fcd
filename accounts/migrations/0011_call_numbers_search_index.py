"""An index for "Spis połączeń"'s number filter on PostgreSQL.

The filter finds calls whose caller or callee contains the typed digits anywhere
(`icontains`, which PostgreSQL runs as UPPER(column::text) LIKE UPPER('%…%')). No B-tree can
answer that, so at a million calls every filtered count read the whole table. A trigram GIN
index (pg_trgm) over exactly those expressions can, and with the account's id in the same
index (btree_gin) it narrows to one account's calls without reading the others'. Both
extensions are "trusted": the database's owner may create them.

SQLite has no such index; its number filter stays a scan of the account's calls.
"""

from django.db import migrations


class PostgreSQLOnly(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_calls_version")]

    operations = [
        PostgreSQLOnly(
            sql=[
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE EXTENSION IF NOT EXISTS btree_gin",
                "CREATE INDEX callrecord_numbers_trgm ON accounts_callrecord USING gin "
                "(account_id, (UPPER(caller::text)) gin_trgm_ops, "
                "(UPPER(callee::text)) gin_trgm_ops)",
            ],
            reverse_sql=["DROP INDEX IF EXISTS callrecord_numbers_trgm"],
        ),
    ]
