from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("set_features", *args, stdout=out)
    return out.getvalue()


def test_it_explains_itself(capsys):
    with pytest.raises(SystemExit):
        call_command("set_features", "--help")
    help_text = capsys.readouterr().out
    assert "call_screening, voicemail, conferences" in help_text
    assert "--max-participants N" in help_text and "--credit-limit X" in help_text


def test_an_operator_enables_voicemail_with_a_mailbox_and_it_is_audited(alice):
    out = run(alice.user.username, "--enable", "voicemail", "--mailbox", "1001")
    assert "voicemail_enabled: no → yes" in out and "mailbox: (none) → 1001" in out
    alice.refresh_from_db()
    assert alice.voicemail_enabled and alice.mailbox == "1001"
    event = AuditEvent.objects.get(kind="account.features")
    assert event.actor_label == "manage.py set_features"
    assert event.data == {"voicemail_enabled": ["no", "yes"], "mailbox": ["", "1001"]}


def test_limits_and_credit_are_set_and_features_switched_off(alice):
    run(
        alice.user.username,
        "--disable",
        "conferences",
        "--enable",
        "call_screening",
        "--max-participants",
        "25",
        "--max-conferences",
        "0",
        "--credit-limit",
        "150,00",
    )
    alice.refresh_from_db()
    assert not alice.conferences_enabled and alice.call_screening_enabled
    assert (alice.max_conference_participants, alice.max_concurrent_conferences) == (25, 0)
    assert alice.credit_limit == Decimal("150.00")


def test_setting_what_is_already_set_changes_nothing(alice):
    out = run(alice.user.username, "--enable", "conferences")
    assert "already has these settings; nothing changed" in out
    assert not AuditEvent.objects.exists()


def test_a_mailbox_can_be_taken_away(alice):
    alice.mailbox = "1001"
    alice.save()
    run(alice.user.username, "--mailbox", "")
    alice.refresh_from_db()
    assert alice.mailbox is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Nothing to change"),
        (["--enable", "voicemail", "--disable", "voicemail"], "both switched on and off"),
        (["--max-participants", "1"], "between 2 and 32767"),
        (["--max-conferences", "-1"], "between 0 and 32767"),
        (["--mailbox", "12a"], "A mailbox number is 1 to 32 digits"),
        (["--mailbox", "2002"], "already belongs to the account telekonferencja_48223809889"),
        (["--credit-limit", "-5"], "zero or more"),
        (["--credit-limit", "dużo"], "--credit-limit 'dużo': Enter an amount such as 125.50"),
        (["--credit-limit", "1e999"], "--credit-limit '1e999': Enter an amount below one"),
        (["--max-participants", "2147483648"], "between 2 and 32767"),
        (["--max-conferences", "9" * 30], "between 0 and 32767"),
        (["--mailbox", "9" * 33], "A mailbox number is 1 to 32 digits"),
    ],
)
def test_wrong_values_are_refused_and_nothing_changes(alice, bob, args, message):
    bob.mailbox = "2002"
    bob.save()
    with pytest.raises(CommandError, match=message):
        run(alice.user.username, *args)
    assert not AuditEvent.objects.exists()
    alice.refresh_from_db()
    assert not alice.voicemail_enabled and alice.mailbox is None


def test_an_unknown_feature_is_refused_by_the_argument_parser(alice):
    with pytest.raises(CommandError, match="invalid choice: 'fax'"):
        run(alice.user.username, "--enable", "fax")


def test_a_dry_run_shows_and_saves_nothing(alice):
    out = run(alice.user.username, "--enable", "voicemail", "--dry-run")
    assert "Would change telekonferencja_48223809888:" in out
    alice.refresh_from_db()
    assert not alice.voicemail_enabled
    assert not AuditEvent.objects.exists()
