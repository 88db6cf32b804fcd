"""The same value gets the same verdict wherever it enters: a customer's form, the account
import, an operator command or the staff's admin (accounts.validators is their one home).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from accounts.models import Account
from centrex.screening.forms import RuleAdminForm, RuleForm
from profile.forms import GeneralForm, SettingsForm
from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "telekonferencja_48221000001"


@pytest.fixture
def account(db):
    return factories.make_account(LOGIN, country="PL")


# --- The entry points: each returns what it would store, or None when it refuses the value ----


def via_profile_form(account: Account, field: str, value: str):
    data = {**GeneralForm.initial_for(account), field: value}
    form = GeneralForm({k: v for k, v in data.items() if v is not None})
    return form.cleaned_data[field] if form.is_valid() else None


def via_settings_form(account: Account, field: str, value: str):
    data = {"time_zone": "Europe/Warsaw", "language": "pl", field: value}
    form = SettingsForm(data, account=account)
    return form.cleaned_data[field] if form.is_valid() else None


def via_account_import(tmp_path: Path, account: Account, column: str, value: str):
    path = tmp_path / "accounts.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["login", column])
        writer.writerow([account.login, value])
    try:
        call_command("import_accounts", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError:
        return None
    account.refresh_from_db()
    return getattr(account, IMPORT_FIELDS.get(column, column))


IMPORT_FIELDS = {"max_participants": "max_conference_participants"}


def via_admin(account: Account, field: str, value: str):
    request = RequestFactory().get("/admin/")
    request.user = factories.make_staff("superuser", is_superuser=True)
    model_admin = admin.site._registry[Account]
    form_class = model_admin.get_form(request, obj=account, change=True)
    data = factories.admin_account_form(account, **{field: value})
    form = form_class(data, instance=account)
    return form.cleaned_data[field] if form.is_valid() else None


def via_set_features(account: Account, option: str, value: str):
    try:
        call_command("set_features", account.login, option, value, stdout=io.StringIO())
    except CommandError:
        return None
    account.refresh_from_db()
    return getattr(account, SET_FEATURES_FIELDS[option])


SET_FEATURES_FIELDS = {
    "--max-participants": "max_conference_participants",
    "--credit-limit": "credit_limit",
    "--mailbox": "mailbox",
}


def via_forward_rule(account: Account, value: str):
    data = {
        "name": "Dalej",
        "caller_patterns": "%",
        "window": "always",
        "action": "forward",
        "forward_to": value,
    }
    form = RuleForm(data, account=account)
    return form.cleaned_data["forward_to"] if form.is_valid() else None


def via_staff_forward_rule(account: Account, value: str):
    data = {
        "account": account.pk,
        "position": 0,
        "name": "Dalej",
        "caller_patterns": "%",
        "window": "always",
        "action": "forward",
        "forward_to": value,
        "ring_seconds": 20,
    }
    form = RuleAdminForm(data)
    return form.cleaned_data["forward_to"] if form.is_valid() else None


# --- The verdicts --------------------------------------------------------------------------------

PHONES = [
    ("22 123 45 67", "+48221234567"),
    ("+48 22 123-45-67", "+48221234567"),
    ("0048 22 123 45 67", "+48221234567"),
    ("22 123 45 67 ext. 12", None),  # an extension is refused, never silently dropped
    ("12", None),
    ("+48 99 123 45 67", None),  # not in the numbering plan
]


@pytest.mark.parametrize(("typed", "stored"), PHONES)
def test_a_phone_number_gets_one_verdict_everywhere(tmp_path, account, typed, stored):
    assert via_forward_rule(account, typed) == stored
    assert via_staff_forward_rule(account, typed) == stored
    assert via_profile_form(account, "phone", typed) == stored
    assert via_admin(account, "phone", typed) == stored
    assert via_account_import(tmp_path, account, "phone", typed) == stored  # last: it saves


def test_forwarding_to_an_own_number_is_refused_for_customers_and_staff_alike(account):
    account.phone = "+48221234567"
    account.save()
    assert via_forward_rule(account, "22 123 45 67") is None
    assert via_staff_forward_rule(account, "22 123 45 67") is None
    assert via_staff_forward_rule(account, "601 234 567") == "+48601234567"


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [("Europe/Warsaw", True), ("America/New_York", True), ("Factory", False), ("localtime", False)],
)
def test_a_time_zone_gets_one_verdict_everywhere(tmp_path, account, typed, accepted):
    stored = typed if accepted else None
    assert via_settings_form(account, "time_zone", typed) == stored
    assert via_admin(account, "time_zone", typed) == stored
    assert via_account_import(tmp_path, account, "time_zone", typed) == stored


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1 234,50", Decimal("1234.50")),
        ("1234.5", Decimal("1234.50")),
        ("12,345", None),  # three decimals: a typing mistake, not a grouping
        ("-5", None),
        ("dużo", None),
    ],
)
def test_a_credit_limit_gets_one_verdict_everywhere(tmp_path, account, typed, amount):
    assert via_admin(account, "credit_limit", typed) == amount
    assert via_set_features(account, "--credit-limit", typed) == amount
    account.credit_limit = Decimal("0.00")
    account.save()
    assert via_account_import(tmp_path, account, "credit_limit", typed) == amount


@pytest.mark.parametrize(("typed", "limit"), [("2", 2), ("25", 25), ("1", None), ("0", None)])
def test_a_participant_limit_below_two_is_refused_everywhere(tmp_path, account, typed, limit):
    assert via_admin(account, "max_conference_participants", typed) == limit
    assert via_set_features(account, "--max-participants", typed) == limit
    account.max_conference_participants = 10
    account.save()
    assert via_account_import(tmp_path, account, "max_participants", typed) == limit


@pytest.mark.parametrize(("typed", "mailbox"), [("1001", "1001"), ("12a", None), ("1" * 33, None)])
def test_a_mailbox_number_gets_one_verdict_everywhere(tmp_path, account, typed, mailbox):
    assert via_admin(account, "mailbox", typed) == mailbox
    assert via_set_features(account, "--mailbox", typed) == mailbox
    account.mailbox = None
    account.save()
    assert via_account_import(tmp_path, account, "mailbox", typed) == mailbox


def test_a_mailbox_of_another_account_is_refused_everywhere(tmp_path, account, bob):
    bob.mailbox = "2002"
    bob.save()
    assert via_admin(account, "mailbox", "2002") is None
    assert via_set_features(account, "--mailbox", "2002") is None
    assert via_account_import(tmp_path, account, "mailbox", "2002") is None
