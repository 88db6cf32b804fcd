from __future__ import annotations

import csv
import io
import stat
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts import account_csv
from accounts.ledger.services import change_balance
from accounts.models import Account, AuditEvent, BalanceEntry, PhoneNumber

pytestmark = pytest.mark.django_db


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_accounts", *args, stdout=out)
    return out.getvalue()


def test_it_explains_itself(capsys):
    with pytest.raises(SystemExit):
        call_command("export_accounts", "--help")
    assert "--output FILE" in capsys.readouterr().out


def test_it_writes_every_account_in_the_import_columns_without_passwords(alice, bob):
    alice.company_name = "Zakład „Łączność”"
    alice.voicemail_enabled = True
    alice.mailbox = "1001"
    alice.save()
    change_balance(alice, Decimal("12.30"), BalanceEntry.Kind.TOP_UP, "x")
    rows = list(csv.DictReader(io.StringIO(export())))
    assert list(rows[0]) == account_csv.EXPORT_COLUMNS
    assert "password" not in rows[0]
    assert [row["login"] for row in rows] == [alice.user.username, bob.user.username]
    assert rows[0]["company_name"] == "Zakład „Łączność”"
    assert (rows[0]["balance"], rows[0]["voicemail"], rows[0]["mailbox"]) == (
        "12.30",
        "yes",
        "1001",
    )
    assert rows[1]["mailbox"] == ""


def test_the_file_is_private_and_opens_in_a_spreadsheet(tmp_path, alice):
    path = tmp_path / "accounts.csv"
    out = export("--output", str(path))
    assert f"Exported 1 account to {path}." in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM for spreadsheet programs


def test_importing_the_export_changes_nothing(tmp_path, alice, bob):
    alice.phone = "+48223809888"
    alice.credit_limit = Decimal("50.00")
    alice.call_screening_enabled = True
    alice.save()
    PhoneNumber.objects.create(account=alice, number="48223809888")
    PhoneNumber.objects.create(account=alice, number="48223809887")
    path = tmp_path / "accounts.csv"
    export("--output", str(path))
    events = AuditEvent.objects.count()
    out = io.StringIO()
    call_command("import_accounts", str(path), stdout=out)
    assert "Created 0 accounts, updated 0, left 2 unchanged" in out.getvalue()
    assert AuditEvent.objects.count() == events


def test_the_export_recreates_the_accounts_in_an_empty_database(tmp_path, alice):
    alice.language = "en"
    alice.max_conference_participants = 30
    alice.save()
    change_balance(alice, Decimal("7.00"), BalanceEntry.Kind.TOP_UP, "x")
    path = tmp_path / "accounts.csv"
    export("--output", str(path))
    alice.user.delete()
    call_command(
        "import_accounts",
        str(path),
        "--credentials",
        str(tmp_path / "passwords.csv"),
        stdout=io.StringIO(),
    )
    account = Account.objects.get()
    assert (account.account_id, account.language) == ("telekonferencja_48223809888", "en")
    assert account.max_conference_participants == 30
    assert account.balance == Decimal("7.00")


def test_it_writes_the_numbers_as_import_accounts_reads_them(alice, bob):
    PhoneNumber.objects.create(account=alice, number="48223809888")
    PhoneNumber.objects.create(account=alice, number="48223809887")
    rows = list(csv.DictReader(io.StringIO(export())))
    assert [row["numbers"] for row in rows] == ["+48223809887 +48223809888", ""]


def test_the_numbers_come_back_with_the_accounts_in_an_empty_database(tmp_path, alice):
    PhoneNumber.objects.create(account=alice, number="48223809888")
    path = tmp_path / "accounts.csv"
    export("--output", str(path))
    alice.user.delete()
    assert not PhoneNumber.objects.exists()
    call_command(
        "import_accounts",
        str(path),
        "--credentials",
        str(tmp_path / "passwords.csv"),
        stdout=io.StringIO(),
    )
    assert PhoneNumber.objects.get().account == Account.objects.get()
    assert PhoneNumber.objects.get().number == "48223809888"
