"""Logins are unique regardless of case: the database says so, signing in, the password reset
and `import_accounts` all treat "Alice" and "alice" as one login."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from accounts.models import Account, User
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_login_differing_only_by_case(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username=alice.login.upper(), password="x")
    assert User.objects.filter(username__iexact=alice.login).count() == 1


def test_model_validation_names_the_clash_in_polish(alice):
    user = User(username=alice.login.upper(), password="x")
    with pytest.raises(ValidationError) as raised:
        user.full_clean()
    assert "Użytkownik o tym loginie już istnieje." in str(raised.value)


def test_the_admin_refuses_a_new_user_whose_login_differs_only_by_case(admin_client, alice):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": alice.login.upper(),
            "password1": "Dluzsze-Haslo-2026",
            "password2": "Dluzsze-Haslo-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["username"]
    assert User.objects.count() == 2  # alice and the admin


def test_a_password_reset_by_login_in_another_case_reaches_the_one_customer(
    client, alice, mailoutbox
):
    response = client.post("/password-reset/", {"email": alice.login.upper()})
    assert response["Location"] == "/password-reset/sent/"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [alice.user.email]


# --- import_accounts ---------------------------------------------------------------------------

PASSWORD = "Mocne-Haslo-2026"


def write_csv(tmp_path: Path, logins: list[str]) -> Path:
    path = tmp_path / "accounts.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["login", "password", "email"])
        for n, login in enumerate(logins):
            writer.writerow([login, PASSWORD, f"klient{n}@example.com"])
    return path


def run_failing(path: Path) -> str:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_accounts", str(path), stdout=out, stderr=err)
    return err.getvalue() + str(raised.value)


def test_import_refuses_a_login_differing_only_by_case_from_an_existing_one(tmp_path, alice):
    path = write_csv(tmp_path, ["telekonferencja_48221000001", alice.login.upper()])
    err = run_failing(path)
    assert (
        f"line 3, column login: {alice.login.upper()!r} differs only in case from the "
        f"existing login {alice.login!r}"
    ) in err
    assert Account.objects.count() == 1  # nothing was imported


def test_import_refuses_a_login_differing_only_by_case_from_an_earlier_row(tmp_path):
    path = write_csv(tmp_path, ["Klient_Nowy", "klient_nowy"])
    err = run_failing(path)
    assert (
        "line 3, column login: 'klient_nowy' differs only in case from 'Klient_Nowy' on line 2"
    ) in err
    assert not Account.objects.exists()


def test_import_still_updates_an_account_whose_login_is_spelled_the_same(tmp_path, alice):
    path = tmp_path / "accounts.csv"
    path.write_text(f"login,first_name\n{alice.login},Alicja Maria\n", encoding="utf-8")
    call_command("import_accounts", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    alice.refresh_from_db()
    assert alice.first_name == "Alicja Maria"


def test_import_refuses_a_case_twin_of_a_staff_login(tmp_path):
    staff = factories.make_staff("Helpdesk_Anna")
    err = run_failing(write_csv(tmp_path, [staff.username.lower()]))
    assert "differs only in case from the existing login 'Helpdesk_Anna'" in err


# --- The migration that adds the constraint ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_existing_logins_that_differ_only_by_case():
    call_command("migrate", "accounts", "0004", verbosity=0)
    try:
        User.objects.bulk_create(
            [User(username="Klient_Jan"), User(username="klient_jan"), User(username="inny")]
        )
        with pytest.raises(RuntimeError, match="'Klient_Jan', 'klient_jan'"):
            call_command("migrate", "accounts", "0005", verbosity=0)
        # A raw delete: at 0004 the tables that cascade from a user (sessions) do not exist.
        User.objects.filter(username="klient_jan")._raw_delete(User.objects.db)
    finally:
        call_command("migrate", "accounts", verbosity=0)
    assert User.objects.filter(username__iexact="klient_jan").count() == 1
