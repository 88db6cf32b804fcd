"""import_accounts: the columns, creating and updating accounts, and what it refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command

from accounts.account_csv import read_rows
from accounts.account_import import CREATE_BATCH, plan_import
from accounts.models import Account, AuditEvent, BalanceEntry, PhoneNumber, User
from tests.accounts.account_files import PASSWORD, full_row, run, run_failing, write_csv

pytestmark = pytest.mark.django_db


def test_it_explains_itself(capsys):
    with pytest.raises(SystemExit):
        call_command("import_accounts", "--help")
    help_text = capsys.readouterr().out
    assert "--credentials FILE" in help_text and "--send-welcome" in help_text
    assert "max_participants" in help_text and "--dry-run" in help_text


def test_it_creates_an_account_with_every_column(tmp_path):
    out, err = run(write_csv(tmp_path, [full_row()]))
    assert "Created 1 account, updated 0, left 0 unchanged; 0 rows rejected." in out
    assert err == ""
    account = Account.objects.select_related("user").get()
    assert account.user.username == account.account_id == "telekonferencja_48221000001"
    assert account.user.check_password(PASSWORD)
    assert account.user.email == "jan@example.com"
    assert account.company_name == "Zakład Usług Łącznościowych „Żuraw”"
    assert account.phone == "+48221234567"
    assert (account.language, account.time_zone, account.currency) == (
        "pl",
        "Europe/Warsaw",
        "PLN",
    )
    assert account.credit_limit == Decimal("50.00")
    assert account.call_screening_enabled and account.voicemail_enabled
    assert not account.conferences_enabled
    assert (account.max_conference_participants, account.max_concurrent_conferences) == (20, 2)
    assert account.mailbox == "1001"
    assert account.balance == Decimal("100.50")
    entry = BalanceEntry.objects.get()
    assert (entry.amount, entry.balance_after) == (Decimal("100.50"), Decimal("100.50"))
    assert entry.description == "Saldo początkowe"  # in the account's language
    assert entry.created_by_label == "manage.py import_accounts"
    event = AuditEvent.objects.get(kind="account.create")
    assert event.account == account and event.actor_label == "manage.py import_accounts"
    assert PASSWORD not in str(event.data)


def test_running_the_same_file_again_changes_nothing(tmp_path):
    path = write_csv(tmp_path, [full_row(), full_row("telekonferencja_2", mailbox="1002")])
    run(path)
    events, entries = AuditEvent.objects.count(), BalanceEntry.objects.count()
    out, _err = run(path)
    assert "Created 0 accounts, updated 0, left 2 unchanged" in out
    assert AuditEvent.objects.count() == events
    assert BalanceEntry.objects.count() == entries


def test_changed_cells_update_the_account_and_empty_cells_leave_values(tmp_path):
    run(write_csv(tmp_path, [full_row()]))
    path = write_csv(
        tmp_path,
        [
            {
                "login": "telekonferencja_48221000001",
                "email": "nowy@example.com",
                "voicemail": "nie",
                "balance": "999",
                "company_name": "",
            }
        ],
        name="b.csv",
    )
    out, _err = run(path, "-v", "2")
    assert "line 2: update telekonferencja_48221000001: email, voicemail_enabled" in out
    account = Account.objects.select_related("user").get()
    assert account.user.email == "nowy@example.com"
    assert not account.voicemail_enabled
    assert account.company_name == "Zakład Usług Łącznościowych „Żuraw”"
    assert account.balance == Decimal("100.50")  # the opening balance counts only once
    assert AuditEvent.objects.get(kind="account.update").data["email"][1] == "nowy@example.com"
    # Features change as the set_features command changes them: one event kind.
    event = AuditEvent.objects.get(kind="account.features")
    assert event.data == {"voicemail_enabled": ["yes", "no"]}


def test_a_spreadsheet_export_with_semicolons_bom_and_crlf_is_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufefflogin;email;balance;company_name\r\n"
        "telekonferencja_1;a@example.com;12,50;Spółka „Łączność”\r\n"
        "\r\n"
        "telekonferencja_2;b@example.com;0;Zażółć\r\n".encode()
    )
    out, _err = run(path, "--credentials", str(tmp_path / "secrets.csv"))
    assert "Created 2 accounts" in out
    assert Account.objects.get(account_id="telekonferencja_1").balance == Decimal("12.50")
    assert Account.objects.get(account_id="telekonferencja_2").company_name == "Zażółć"


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"email": "nie-adres"}, "column email: 'nie-adres' is not an e-mail address"),
        ({"language": "de"}, "column language: 'de' is not a language; use pl or en"),
        ({"time_zone": "Europe/Warszawa"}, "column time_zone: 'Europe/Warszawa': Choose a time"),
        ({"time_zone": "Factory"}, "column time_zone: 'Factory': Choose a time zone"),
        ({"currency": "złoty"}, "column currency"),
        ({"balance": "sto"}, "column balance: 'sto': Enter an amount such as 125.50"),
        ({"balance": "1.005"}, "column balance: '1.005': Enter an amount with at most two"),
        ({"credit_limit": "-10"}, "column credit_limit: '-10': The credit limit is an amount of"),
        ({"voicemail": "może"}, "column voicemail: 'może' is not yes or no"),
        ({"max_participants": "1"}, "column max_participants: '1': The maximum number of"),
        ({"max_conferences": "dużo"}, "column max_conferences"),
        ({"mailbox": "skrzynka"}, "column mailbox: 'skrzynka': A mailbox number is 1 to 32"),
        ({"phone": "22 123 45 67 ext. 12"}, "column phone: '22 123 45 67 ext. 12': Enter the"),
        ({"phone": "12"}, "column phone"),
        ({"login": "zły login!"}, "column login: a login has only letters"),
        ({"login": ""}, "column login: the login is required"),
        ({"password": "1234"}, "column password: This password is too short"),
        ({"first_name": "J" * 101}, "column first_name: at most 100 characters"),
        # Values that used to end in a traceback (or, on PostgreSQL, a database error).
        ({"credit_limit": "1e999"}, "column credit_limit: '1e999': Enter an amount below one"),
        ({"balance": "-1e30"}, "column balance: '-1e30': Enter an amount below one billion"),
        ({"max_participants": "2147483648"}, "column max_participants: '2147483648': The"),
        ({"max_conferences": "9" * 30}, "column max_conferences: '9999"),
        ({"first_name": "Jan\x00"}, "column first_name: a NUL byte: the row is corrupt"),
        ({"login": "telekonferencja_\x00"}, "column login: a NUL byte: the row is corrupt"),
    ],
)
def test_invalid_cells_are_named_by_line_and_column_and_nothing_is_written(
    tmp_path, cells, message
):
    rows = [full_row("telekonferencja_1", mailbox="1"), {**full_row("telekonferencja_2"), **cells}]
    _out, err = run_failing(write_csv(tmp_path, rows), match="nothing was imported")
    assert f"line 3, {message}" in err
    assert not Account.objects.exists()
    assert not BalanceEntry.objects.exists()


def test_duplicates_inside_the_file_are_named(tmp_path):
    rows = [
        full_row("telekonferencja_1", mailbox="1"),
        full_row("telekonferencja_1", account_id="inne", mailbox="2"),
        full_row("telekonferencja_3", account_id="telekonferencja_1", mailbox="1"),
    ]
    _out, err = run_failing(write_csv(tmp_path, rows))
    assert "line 3, column login: 'telekonferencja_1' is already on line 2" in err
    assert "line 4, column account_id: 'telekonferencja_1' is already on line 2" in err
    assert "line 4, column mailbox: '1' is already on line 2" in err


def test_clashes_with_existing_accounts_are_named(tmp_path, alice, bob, staff):
    alice.mailbox = "1001"
    alice.save()
    rows = [
        full_row("telekonferencja_1", mailbox="1001"),
        full_row("telekonferencja_2", account_id=bob.account_id, mailbox="2"),
        full_row(alice.user.username, account_id="nowe_id", mailbox="5"),
        full_row(staff.username, account_id="x", mailbox="3"),
    ]
    _out, err = run_failing(write_csv(tmp_path, rows))
    assert (
        "line 2, column mailbox: mailbox 1001 belongs to the login 'telekonferencja_48223809888'"
        in err
    )
    assert "line 3, column account_id: 'telekonferencja_48223809889' is the ID of the login" in err
    assert "line 4, column account_id: the account's ID is 'telekonferencja_48223809888'" in err
    assert "line 5, column login: the login belongs to a user without an account" in err


def test_skip_invalid_imports_the_good_rows_and_still_fails(tmp_path):
    rows = [full_row("telekonferencja_1", mailbox="1"), full_row("telekonferencja_2", email="x")]
    out, err = run_failing(write_csv(tmp_path, rows), "--skip-invalid", match="1 row rejected")
    assert "Created 1 account" in out
    assert "line 3, column email" in err
    assert list(Account.objects.values_list("account_id", flat=True)) == ["telekonferencja_1"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("login,konto\nx,y\n", "line 1, column konto: unknown column"),
        ("login|email\nx|y\n", "line 1, column login|email: unknown column (the columns must be"),
        ("email\na@example.com\n", "line 1, column login: the header must have a login column"),
        ("login,login\nx,y\n", "line 1, column login: the column appears twice"),
        ("", "line 1: the file is empty"),
        ("login,email\ntelekonferencja_1\n", "line 2: 1 fields, but the header has 2"),
        ('login,email\ntelekonferencja_1,"a@example.com\n', "a closing quote is missing"),
    ],
)
def test_a_malformed_file_is_explained(tmp_path, content, message):
    path = tmp_path / "a.csv"
    path.write_text(content, encoding="utf-8")
    _out, err = run_failing(path)
    assert message in err
    assert not Account.objects.exists()


def test_a_file_in_windows_1250_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("login,company_name\ntelekonferencja_1,Łódź\n".encode("cp1250"))
    run_failing(path, match="line 2: the file is not utf-8-sig text.*--encoding cp1250")
    run(path, "--encoding", "cp1250", "--credentials", str(tmp_path / "s.csv"))
    assert Account.objects.get().company_name == "Łódź"


def test_a_dry_run_says_what_would_happen_and_writes_nothing(tmp_path):
    secrets_path = tmp_path / "secrets.csv"
    path = write_csv(tmp_path, [full_row(), {"login": "telekonferencja_2", "password": ""}])
    out, _err = run(path, "--dry-run", "--credentials", str(secrets_path))
    assert "Would create 2 accounts, update 0, leave 0 unchanged" in out
    assert not User.objects.exists()
    assert not secrets_path.exists()


def test_a_thousand_accounts_load_in_one_run(tmp_path, django_assert_max_num_queries):
    rows = [
        {"login": f"telekonferencja_{n:04d}", "password": PASSWORD, "balance": "10"}
        for n in range(1000)
    ]
    path = write_csv(tmp_path, rows)
    out, _err = run(path)
    assert "Created 1000 accounts" in out
    assert Account.objects.count() == 1000
    assert BalanceEntry.objects.count() == 1000
    assert check_password(PASSWORD, User.objects.get(username="telekonferencja_0999").password)
    # The check before writing looks existing accounts up in chunks, not row by row.
    with django_assert_max_num_queries(20):
        plan_import(read_rows(path.read_text(encoding="utf-8-sig"))[0])


def test_new_accounts_are_written_in_batches_not_row_by_row(
    tmp_path, django_assert_max_num_queries
):
    rows = [
        {
            "login": f"telekonferencja_{n:04d}",
            "password": PASSWORD,
            "balance": "10",
            "numbers": f"+4822100{n:04d}",
        }
        for n in range(3 * CREATE_BATCH)
    ]
    path = write_csv(tmp_path, rows)
    # About 18 statements a batch (users, accounts, SIP, events, the ledger, numbers,
    # savepoints) and some for the checks before: 55 on PostgreSQL, 67 on SQLite. Row by row
    # it was 20 an account, 6,000 here.
    with django_assert_max_num_queries(75):
        out, _err = run(path)
    assert f"Created {3 * CREATE_BATCH} accounts" in out
    assert PhoneNumber.objects.count() == 3 * CREATE_BATCH
    assert BalanceEntry.objects.filter(amount=Decimal("10.00")).count() == 3 * CREATE_BATCH
    assert AuditEvent.objects.filter(kind="balance.change").count() == 3 * CREATE_BATCH
    assert AuditEvent.objects.filter(kind="account.numbers").count() == 3 * CREATE_BATCH
    account = Account.objects.get(user__username="telekonferencja_0299")
    assert account.user.check_password(PASSWORD)
    assert numbers_of("telekonferencja_0299") == ["48221000299"]


def test_new_and_existing_accounts_are_written_in_the_files_order(tmp_path, alice):
    """A new account's events come in the order one account alone would have them, and an
    update between new accounts is written between them."""
    rows = [
        {"login": "nowe_1", "password": PASSWORD, "balance": "10", "numbers": "+48221000001"},
        {"login": alice.user.username, "first_name": "Alina", "numbers": "+48221000002"},
        {"login": "nowe_2", "password": PASSWORD, "numbers": "+48221000003"},
    ]
    header = ["login", "password", "first_name", "balance", "numbers"]
    out, _err = run(write_csv(tmp_path, rows, header=header))
    assert "Created 2 accounts, updated 1" in out
    events = AuditEvent.objects.order_by("id").values_list("account__user__username", "kind")
    assert list(events) == [
        ("nowe_1", "account.create"),
        ("nowe_1", "balance.change"),
        ("nowe_1", "account.numbers"),
        (alice.user.username, "account.update"),
        (alice.user.username, "account.numbers"),
        ("nowe_2", "account.create"),
        ("nowe_2", "account.numbers"),
    ]
    assert list(Account.objects.order_by("id").values_list("user__username", flat=True)) == [
        alice.user.username,
        "nowe_1",
        "nowe_2",
    ]
    assert Account.objects.get(user__username="nowe_1").balance == Decimal("10.00")


def numbers_of(login: str) -> list[str]:
    return list(
        PhoneNumber.objects.filter(account__user__username=login).values_list("number", flat=True)
    )


def test_numbers_are_stored_as_digits_and_a_cell_replaces_them(tmp_path):
    login = "telekonferencja_1"
    row = {"login": login, "password": PASSWORD, "numbers": "+48223809888  0048223809889"}
    run(write_csv(tmp_path, [row]))
    assert numbers_of(login) == ["48223809888", "48223809889"]
    event = AuditEvent.objects.get(kind="account.numbers")
    assert event.data == {"numbers": ["", "+48223809888 +48223809889"]}
    out, _err = run(write_csv(tmp_path, [row], name="again.csv"))
    assert "left 1 unchanged" in out

    out, _err = run(
        write_csv(tmp_path, [{"login": login, "numbers": "223809890"}], name="b.csv"), "-v", "2"
    )
    assert f"update {login}: numbers" in out
    assert numbers_of(login) == ["48223809890"]
    event = AuditEvent.objects.filter(kind="account.numbers").first()
    assert event.data == {"numbers": ["+48223809888 +48223809889", "+48223809890"]}
    assert event.actor_label == "manage.py import_accounts"

    out, _err = run(
        write_csv(tmp_path, [{"login": login, "numbers": "", "first_name": "Jan"}], name="c.csv")
    )
    assert "updated 1" in out
    assert numbers_of(login) == ["48223809890"]  # an empty cell leaves them


def test_a_malformed_number_is_named_by_line_and_column(tmp_path):
    rows = [
        {"login": "telekonferencja_1", "password": PASSWORD, "numbers": "+48223809888"},
        {"login": "telekonferencja_2", "password": PASSWORD, "numbers": "+48 22 380 98 89"},
    ]
    _out, err = run_failing(write_csv(tmp_path, rows), match="nothing was imported")
    assert "line 3, column numbers: '+48': Enter a phone number with its area code" in err
    assert "write each without spaces, such as +48223809888" in err
    assert not Account.objects.exists() and not PhoneNumber.objects.exists()


def test_a_number_of_another_account_or_an_earlier_row_is_refused(tmp_path, alice):
    PhoneNumber.objects.create(account=alice, number="48223809888")
    PhoneNumber.objects.create(account=alice, number="48223809886")
    rows = [
        {"login": "telekonferencja_1", "password": PASSWORD, "numbers": "+48223809886"},
        {"login": "telekonferencja_2", "password": PASSWORD, "numbers": "+48223809889"},
        {"login": "telekonferencja_3", "password": PASSWORD, "numbers": "223809889"},
        {"login": alice.login, "numbers": "+48223809888 +48223809887"},
    ]
    _out, err = run_failing(write_csv(tmp_path, rows))
    assert (
        "line 2, column numbers: +48223809886 belongs to the login 'telekonferencja_48223809888'"
        in err
    )
    assert "line 4, column numbers: '+48223809889' is already on line 3" in err
    assert "line 5" not in err  # the account's own number is no clash
    assert numbers_of(alice.login) == ["48223809886", "48223809888"]
    assert not Account.objects.exclude(pk=alice.pk).exists()


def test_a_time_zone_alias_is_imported_as_the_zone_it_names(tmp_path):
    row = {"login": "telekonferencja_1", "password": PASSWORD, "time_zone": "Europe/Kiev"}
    run(write_csv(tmp_path, [row]))
    assert Account.objects.get(account_id="telekonferencja_1").time_zone == "Europe/Kyiv"
