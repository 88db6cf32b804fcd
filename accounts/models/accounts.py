"""The telephony account of a customer, and its telephone numbers."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts import time_zones, validators
from accounts.fields import EncryptedTextField, is_unreadable
from accounts.models.money import MONEY


def time_zone_choices() -> list[tuple[str, str]]:
    # Named by migration 0001: keep it, the choices themselves come from accounts.time_zones.
    return time_zones.flat_choices()


class AccountQuerySet(models.QuerySet["Account"]):
    def active(self) -> AccountQuerySet:
        return self.filter(status=Account.Status.ACTIVE)


class Account(models.Model):
    """A customer's telephony account.

    Money: `balance` is the customer's own funds (prepaid: top-ups minus charges); it may go
    below zero down to minus `credit_limit`, the postpaid credit the operator grants. So the
    funds available for calls are `balance + credit_limit`. `balance` changes only through
    `accounts.ledger.services.change_balance`, which writes a BalanceEntry in the same transaction.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        BLOCKED = "blocked", _("blocked")

    class Language(models.TextChoices):
        POLISH = "pl", "Polski"
        ENGLISH = "en", "English"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account",
        verbose_name=_("user"),
    )
    account_id = models.CharField(_("account ID"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    balance = models.DecimalField(_("balance"), **MONEY, default=Decimal("0.00"), editable=False)
    # How many entries the ledger holds for the account, moved with the balance in the same
    # UPDATE (accounts.ledger.services), so "Historia salda" pages it without counting them:
    # COUNT(*) of 400,000 entries took 37 ms on every page.
    ledger_entries = models.PositiveBigIntegerField(
        _("number of ledger entries"), default=0, editable=False
    )
    credit_limit = models.DecimalField(
        _("credit limit"), **MONEY, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )

    # "Mój profil → Ogólne". The e-mail is the user's (see User).
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    salutation = models.CharField(_("salutation"), max_length=40, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    county = models.CharField(_("county"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="PL")
    contact_person = models.CharField(_("contact"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    fax = models.CharField(_("fax"), max_length=32, blank=True)
    alt_phone = models.CharField(_("alternative phone"), max_length=32, blank=True)
    alt_contact = models.CharField(_("alternative contact"), max_length=200, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)

    # "Mój profil → Ustawienia"
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Warsaw", choices=time_zone_choices
    )
    language = models.CharField(
        _("web interface language"), max_length=5, choices=Language, default=Language.POLISH
    )
    sip_password = EncryptedTextField(_("SIP password"), blank=True)
    # Low-balance alert: one e-mail when a charge takes the available funds below the threshold,
    # then none until the funds have risen above it again (`low_balance_alert_sent` remembers).
    low_balance_threshold = models.DecimalField(
        _("low-balance alert threshold"), **MONEY, null=True, blank=True
    )
    low_balance_alert_sent = models.BooleanField(_("low-balance alert sent"), default=False)
    # Counts the changes to the account's calls (accounts.calls.cache): the call pages keep
    # what they computed from the calls (counts, the usage chart) under this number.
    calls_version = models.PositiveBigIntegerField(
        _("version of the calls"), default=0, editable=False
    )

    # Features and limits, set by operator staff.
    call_screening_enabled = models.BooleanField(_("call screening enabled"), default=False)
    voicemail_enabled = models.BooleanField(_("voicemail enabled"), default=False)
    conferences_enabled = models.BooleanField(_("conferences enabled"), default=True)
    max_conference_participants = models.PositiveSmallIntegerField(
        _("maximum participants per conference"),
        default=10,
        validators=[validators.validate_max_participants],
    )
    max_concurrent_conferences = models.PositiveSmallIntegerField(
        _("maximum concurrent conferences"),
        default=3,
        validators=[validators.validate_max_conferences],
    )
    mailbox = models.CharField(
        _("voicemail mailbox number"), max_length=32, unique=True, null=True, blank=True
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["account_id"]
        # On PostgreSQL also account_search_trgm, for the admin's search: a trigram index that
        # Django's Index cannot declare for both databases (migration 0013).
        constraints = [
            # A conference needs two people: a lower limit would forbid every conference.
            models.CheckConstraint(
                condition=models.Q(
                    max_conference_participants__gte=validators.MIN_CONFERENCE_PARTICIPANTS
                ),
                name="account_conference_needs_two",
            )
        ]

    def __str__(self) -> str:
        return self.account_id

    @property
    def login(self) -> str:
        return self.user.username

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def display_name(self) -> str:
        """The name in the page header: company, else the person, else the account ID."""
        return self.company_name or self.full_name or self.account_id

    @property
    def is_blocked(self) -> bool:
        return self.status == self.Status.BLOCKED

    @property
    def available_funds(self) -> Decimal:
        return self.balance + self.credit_limit

    @property
    def sip_password_unreadable(self) -> bool:
        """The stored SIP password cannot be decrypted with FIELD_ENCRYPTION_KEYS (kept as is)."""
        return is_unreadable(self.sip_password)

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    @property
    def address_lines(self) -> list[str]:
        city_line = " ".join(p for p in (self.postal_code, self.city) if p)
        region = ", ".join(p for p in (self.county, self.province) if p)
        return [line for line in (city_line, region, self.get_country_display_name()) if line]

    def get_country_display_name(self) -> str:
        """The country's name in the active language (django-countries); the code if unknown."""
        return countries.name(self.country) or self.country


class PhoneNumberManager(models.Manager["PhoneNumber"]):
    def of_account(self, account: Account) -> list[PhoneNumber]:
        """account.numbers.all() for the Pulpit, its SQL written once rather than built by the
        ORM on every page (which cost more than running it: 0.45 -> 0.23 ms)."""
        table = self.model._meta.db_table
        # The table's name is the model's own; the account is a parameter.
        sql = (
            f'SELECT id, account_id, number FROM "{table}" '  # noqa: S608
            "WHERE account_id = %s ORDER BY number"
        )
        return list(self.raw(sql, [account.pk]))


class PhoneNumber(models.Model):
    """A telephone number the account owns (E.164 digits, no "+"): calls to it are its calls.

    The call-record import tells a call's direction by these numbers, and the SIP proxy
    routes calls to them; a number belongs to one account only (the unique constraint).
    """

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="numbers", verbose_name=_("account")
    )
    number = models.CharField(
        _("number"),
        max_length=15,
        unique=True,
        validators=[validators.validate_e164_digits],
        error_messages={"unique": _("This number already belongs to an account.")},
    )

    objects = PhoneNumberManager()

    class Meta:
        verbose_name = _("telephone number")
        verbose_name_plural = _("telephone numbers")
        ordering = ["number"]
        # On PostgreSQL also phonenumber_search_trgm, for the admin's search (migration 0013).

    def __str__(self) -> str:
        return f"+{self.number}"
