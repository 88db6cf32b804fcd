"""import_accounts: the passwords of new and existing accounts, generated ones and where they
go (a credentials file, a welcome e-mail)."""

from __future__ import annotations

import csv
import stat

import pytest

from accounts.models import Account, AuditEvent, User
from tests.accounts.account_files import PASSWORD, run, run_failing, write_csv

pytestmark = pytest.mark.django_db


def test_passwords_are_stored_with_argon2(tmp_path, argon2):
    run(write_csv(tmp_path, [{"login": "telekonferencja_1", "password": PASSWORD}]))
    user = User.objects.get(username="telekonferencja_1")
    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)


def test_generated_passwords_go_to_a_file_only_the_owner_can_read(tmp_path):
    secrets_path = tmp_path / "secrets.csv"
    rows = [{"login": "telekonferencja_1", "password": ""}, {"login": "telekonferencja_2"}]
    out, _err = run(write_csv(tmp_path, rows), "--credentials", str(secrets_path))
    assert f"Generated passwords are in {secrets_path}." in out
    assert stat.S_IMODE(secrets_path.stat().st_mode) == 0o600
    with secrets_path.open(encoding="utf-8") as file:
        written = list(csv.DictReader(file))
    assert [row["login"] for row in written] == ["telekonferencja_1", "telekonferencja_2"]
    for row in written:
        assert len(row["password"]) >= 16
        assert User.objects.get(username=row["login"]).check_password(row["password"])


def test_an_existing_credentials_file_is_never_overwritten(tmp_path):
    secrets_path = tmp_path / "secrets.csv"
    secrets_path.write_text("earlier passwords")
    path = write_csv(tmp_path, [{"login": "telekonferencja_1"}])
    run_failing(path, "--credentials", str(secrets_path), match="already exists")
    assert secrets_path.read_text() == "earlier passwords"
    assert not Account.objects.exists()


def test_a_generated_password_must_have_somewhere_to_go(tmp_path):
    path = write_csv(tmp_path, [{"login": "telekonferencja_1", "email": "a@example.com"}])
    run_failing(
        path,
        match=r"1 new account \(from line 2\) has no password, so one would be generated, but it "
        "would go nowhere: give --credentials FILE or --send-welcome",
    )
    assert not User.objects.exists()


def test_the_welcome_e_mail_lets_the_customer_choose_a_password(
    tmp_path, settings, mailoutbox, client
):
    settings.PORTAL_URL = "https://konto.example.com"
    rows = [
        {"login": "telekonferencja_1", "email": "jan@example.com", "language": "en"},
        {"login": "telekonferencja_2", "email": "ola@example.com", "password": PASSWORD},
    ]
    header = ["login", "email", "language", "password"]
    out, _err = run(write_csv(tmp_path, rows, header=header), "--send-welcome")
    assert "Sent 1 welcome e-mail." in out
    assert len(mailoutbox) == 1  # the account with its own password needs none
    message = mailoutbox[0]
    assert message.to == ["jan@example.com"]
    assert "Welcome to the Konto self-care portal. Your login is telekonferencja_1." in message.body
    link = next(word for word in message.body.split() if word.startswith("https://"))
    assert link.startswith("https://konto.example.com/password-reset/")
    page = client.get(link.removeprefix("https://konto.example.com"), follow=True)
    assert page.context["validlink"] is True
    assert AuditEvent.objects.filter(kind="account.welcome_sent").count() == 1


def test_welcome_e_mails_need_the_portal_address(tmp_path, settings):
    settings.PORTAL_URL = ""
    path = write_csv(tmp_path, [{"login": "telekonferencja_1", "email": "a@example.com"}])
    run_failing(path, "--send-welcome", match="needs PORTAL_URL")
    assert not User.objects.exists()


def test_a_welcome_e_mail_needs_an_address(tmp_path, settings):
    settings.PORTAL_URL = "https://konto.example.com"
    path = write_csv(tmp_path, [{"login": "telekonferencja_1", "email": ""}])
    _out, err = run_failing(path, "--send-welcome")
    assert "line 2, column email: the welcome e-mail needs an e-mail address" in err


def test_passwords_of_existing_accounts_change_only_when_asked(tmp_path, alice, password):
    path = write_csv(tmp_path, [{"login": alice.user.username, "password": PASSWORD}])
    out, _err = run(path)
    assert "left 1 unchanged" in out
    alice.user.refresh_from_db()
    assert alice.user.check_password(password)
    out, _err = run(path, "--update-passwords")
    assert "updated 1" in out
    alice.user.refresh_from_db()
    assert alice.user.check_password(PASSWORD)
    event = AuditEvent.objects.get(kind="account.update")
    assert event.data == {"password": ["", "changed"]}
    out, _err = run(path, "--update-passwords")
    assert "left 1 unchanged" in out
