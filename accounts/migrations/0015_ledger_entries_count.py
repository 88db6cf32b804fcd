"""Account.ledger_entries: how many ledger entries an account has, counted here once for the
entries already written; from now on accounts.ledger.services moves it with the balance."""

from django.db import migrations, models

COUNT_ENTRIES = (
    "UPDATE accounts_account SET ledger_entries = (SELECT COUNT(*) FROM accounts_balanceentry "
    "WHERE accounts_balanceentry.account_id = accounts_account.id)"
)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0014_records_search_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='account',
            name='ledger_entries',
            field=models.PositiveBigIntegerField(default=0, editable=False, verbose_name='number of ledger entries'),
        ),
        migrations.RunSQL(COUNT_ENTRIES, reverse_sql=migrations.RunSQL.noop),
    ]
