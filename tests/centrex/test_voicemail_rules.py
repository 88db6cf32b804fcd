"""The voicemail rules behind the pages and the import: PIN strength, caller ID, settings."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from centrex.voicemail.message_info import parse_callerid
from centrex.voicemail.models import MailboxSettings
from centrex.voicemail.pin import validate_pin
from centrex.voicemail.services import change_pin, clear_pin, settings_for


@pytest.mark.parametrize("pin", ["4831", "739164", "20519", "48302917", "0471", "5500"])
def test_reasonable_pins_are_accepted(pin):
    validate_pin(pin, mailbox="1001")


@pytest.mark.parametrize(
    ("pin", "code"),
    [
        ("", "not_digits"),
        ("12 34", "not_digits"),
        ("１２３４", "not_digits"),
        ("123", "length"),
        ("123456789", "length"),
        ("1111", "repeated"),
        ("121212", "repeated"),
        ("123123", "repeated"),
        ("12341234", "repeated"),
        ("0123", "sequence"),
        ("3456789", "sequence"),
        ("8901", "sequence"),
        ("4321", "sequence"),
        ("2580", "common"),
        ("1001", "mailbox"),
    ],
)
def test_weak_pins_are_refused_with_a_reason(pin, code):
    with pytest.raises(ValidationError) as error:
        validate_pin(pin, mailbox="1001")
    assert error.value.code == code


@pytest.mark.parametrize(
    ("callerid", "name", "number"),
    [
        ('"Jan Kowalski" <48501234567>', "Jan Kowalski", "48501234567"),
        ('"Biuro, NASK" <48223809888>', "Biuro, NASK", "48223809888"),
        ('"" <48226543210>', "", "48226543210"),
        ("Jan <+48501234567>", "Jan", "+48501234567"),
        ('"Jan \\"Szef\\" K" <100>', 'Jan "Szef" K', "100"),
        # Before Asterisk 11 the quotes inside the name were written as they came.
        ('"Firma "ABC" Sp. z o.o." <100>', 'Firma "ABC" Sp. z o.o.', "100"),
        ("<48501234567>", "", "48501234567"),
        ("48501234567", "", "48501234567"),
        ("Unknown", "", ""),
        ('"Anonymous" <anonymous>', "", ""),
        ("", "", ""),
        ("Recepcja", "Recepcja", ""),
    ],
)
def test_caller_id_is_split_into_name_and_number(callerid, name, number):
    assert parse_callerid(callerid) == (name, number)


def test_delete_after_e_mail_needs_the_audio_attached(alice):
    settings = MailboxSettings(
        account=alice, notification_email="a@example.com", delete_after_email=True
    )
    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert "delete_after_email" in error.value.message_dict
    settings.email_mode = MailboxSettings.EmailMode.ATTACH
    settings.full_clean()
    assert not settings.keeps_messages


def test_the_database_refuses_delete_after_e_mail_without_attachment(alice):
    with pytest.raises(IntegrityError):
        MailboxSettings.objects.create(account=alice, email_mode="notify", delete_after_email=True)


def test_reading_the_settings_writes_nothing_and_defaults_to_the_accounts_e_mail(alice):
    settings = settings_for(alice)
    assert settings.pk is None
    assert settings.notification_email == alice.email
    assert settings.email_mode == "notify" and settings.greeting == "standard"
    assert not settings.has_pin and settings.keeps_messages
    assert not MailboxSettings.objects.exists()


def test_clearing_the_pin_lets_the_customer_set_a_new_one(alice):
    change_pin(alice, "4831", actor="test")
    clear_pin(alice, actor="helpdesk")
    settings = MailboxSettings.objects.get(account=alice)
    assert not settings.has_pin and not settings.check_pin("4831")
