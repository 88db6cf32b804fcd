"""The shared relational model: who logs in, the telephony account, its money and its calls.

Feature apps (profile, centrex, conferences) build on these models; this module imports none
of them.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar, TypedDict

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts import validators
from accounts.fields import EncryptedTextField, is_unreadable


class _Digits(TypedDict):
    max_digits: int
    decimal_places: int


# Every amount of money: numeric(12, 2).
MONEY: _Digits = {"max_digits": 12, "decimal_places": 2}


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(validators.time_zone_names())]


def login_key(login: str) -> str:
    """A login as logins are compared: regardless of case (see User's constraint).

    For comparisons made in Python (rows of one file, the lockout's counters); the database
    compares with Lower(), through UserManager.with_login().
    """
    return login.lower()


class UserManager(DjangoUserManager["User"]):
    def with_login(self, login: str) -> models.QuerySet[User]:
        """The user whose login is `login` regardless of case (at most one: the constraint)."""
        return self.alias(login_lower=Lower("username")).filter(login_lower=Lower(Value(login)))

    def with_logins(self, logins: Iterable[str]) -> models.QuerySet[User]:
        """The users whose login is one of `logins` regardless of case."""
        keys = sorted({login_key(login) for login in logins})
        return self.alias(login_lower=Lower("username")).filter(login_lower__in=keys)

    def get_by_natural_key(self, username: str | None) -> User:
        # Signing in (ModelBackend) finds the login regardless of case, as the password reset
        # does: "Alice" and "alice" are one login, so either spelling reaches the same user.
        return self.with_login(username or "").get()


class User(AbstractUser):
    """The identity that logs in: the operator-issued login (e.g. `telekonferencja_48223809888`).

    Customers have an Account (1:1); operator staff (is_staff) have none. The customer's
    e-mail lives here, in `email`, so Django's password-reset tokens follow it. Logins are
    unique regardless of case, so that a login typed in any case means one user.
    """

    username = models.CharField(
        _("login"),
        max_length=150,
        unique=True,
        help_text=_("The login issued by the operator."),
        error_messages={"unique": _("A user with that login already exists.")},
    )

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="user_login_unique_regardless_of_case",
                violation_error_message=_("A user with that login already exists."),
            )
        ]


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

    class Meta:
        verbose_name = _("telephone number")
        verbose_name_plural = _("telephone numbers")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"+{self.number}"


# The times a call record may have: far wider than any switch's records (the importers refuse
# years outside 2000-2100), and far inside Python's calendar, so that every page, export and
# time zone can show them. A record outside (a broken clock) is refused by the database itself:
# one dated year 1 would overflow in a zone behind UTC, and on PostgreSQL be stored in 1 BC,
# which psycopg cannot even read back.
EARLIEST_CALL_TIME = datetime(1990, 1, 1, tzinfo=UTC)
LATEST_CALL_TIME = datetime(2110, 1, 1, tzinfo=UTC)


class CallRecordQuerySet(models.QuerySet["CallRecord"]):
    def one_per_call(self) -> CallRecordQuerySet:
        """One record per call: the leg that stands for it (see CallRecord)."""
        return self.filter(is_primary_leg=True)


class CallRecord(models.Model):
    """One leg of a call of an account (an xDR line of "Spis połączeń").

    `source` + `source_id` identify the leg in the system it came from (an Asterisk uniqueid
    with its sequence, a line of an import), so importing the same file twice adds nothing.

    Asterisk 12 and later write several records for one call (a forked Dial, a queue, a
    transfer): each is a leg, billed on its own billsec. Legs of one call share `call_key`
    (Asterisk's linkedid, else its uniqueid). The call history shows each call once, by its
    primary leg: an answered leg if there is one (an answered leg makes the call answered),
    else the earliest. `importer.settle_primary_legs` keeps the flag right as legs arrive.
    """

    class Direction(models.TextChoices):
        INBOUND = "in", _("incoming")
        OUTBOUND = "out", _("outgoing")
        INTERNAL = "internal", _("internal")
        # The switch's record did not say, and the account's numbers did not tell: not charged.
        UNKNOWN = "unknown", _("unknown")

    class Disposition(models.TextChoices):
        ANSWERED = "answered", _("answered")
        NO_ANSWER = "no_answer", _("no answer")
        BUSY = "busy", _("busy")
        FAILED = "failed", _("failed")

    # No index of its own: callrecord_account_latest starts with the account.
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="calls",
        verbose_name=_("account"),
        db_index=False,
    )
    source = models.CharField(_("source"), max_length=32)
    source_id = models.CharField(_("source ID"), max_length=128)
    started_at = models.DateTimeField(_("start time"))
    answered_at = models.DateTimeField(_("answer time"), null=True, blank=True)
    duration = models.PositiveIntegerField(_("duration (s)"), default=0)
    billed_seconds = models.PositiveIntegerField(_("billed seconds"), default=0)
    caller = models.CharField(_("caller"), max_length=64, blank=True)
    callee = models.CharField(_("callee"), max_length=64, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction)
    disposition = models.CharField(_("disposition"), max_length=10, choices=Disposition)
    description = models.CharField(_("description"), max_length=255, blank=True)
    charge = models.DecimalField(_("charge"), **MONEY, default=Decimal("0.00"))
    call_key = models.CharField(_("call"), max_length=128, blank=True, default="")
    # db_default too: the import writes calls with COPY, which leaves the column out.
    is_primary_leg = models.BooleanField(
        _("shown in the call history"), default=True, db_default=True
    )

    objects = CallRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("call record")
        verbose_name_plural = _("call records")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], name="callrecord_unique_source_id"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    started_at__gte=EARLIEST_CALL_TIME, started_at__lt=LATEST_CALL_TIME
                )
                & (
                    models.Q(answered_at__isnull=True)
                    | models.Q(
                        answered_at__gte=EARLIEST_CALL_TIME, answered_at__lt=LATEST_CALL_TIME
                    )
                ),
                name="callrecord_times_plausible",
                violation_error_message=_("A call's times must lie between 1990 and 2110."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["account", "-started_at", "-id"], name="callrecord_account_latest"
            ),
            # Finding the legs of a batch's calls: by key first, across accounts.
            models.Index(
                fields=["call_key", "account"],
                condition=~models.Q(call_key=""),
                name="callrecord_legs_of_call",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.caller} → {self.callee} ({self.started_at:%Y-%m-%d %H:%M})"


class BalanceEntry(models.Model):
    """One change of an account's balance (the ledger). Balance = sum of its entries."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", _("top-up")
        CALL_CHARGE = "call_charge", _("call charge")
        ADJUSTMENT = "adjustment", _("adjustment")
        REFUND = "refund", _("refund")

    # No index of its own: balance_account_latest starts with the account.
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="balance_entries",
        verbose_name=_("account"),
        db_index=False,
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    balance_after = models.DecimalField(_("balance after"), **MONEY)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    description = models.CharField(_("description"), max_length=255, blank=True)
    call = models.ForeignKey(
        CallRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="balance_entries",
        verbose_name=_("call"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_by_label = models.CharField(_("by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("balance entry")
        verbose_name_plural = _("balance entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A call is charged once, however often its record is imported.
            models.UniqueConstraint(
                fields=["call"],
                condition=models.Q(kind="call_charge"),
                name="balanceentry_one_charge_per_call",
            )
        ]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="balance_account_latest")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount:+} ({self.get_kind_display()})"


class HuntGroup(models.Model):
    """A hunt group ("grupa przechwytywania"): a number that rings several accounts."""

    name = models.CharField(_("group name"), max_length=100)
    number = models.CharField(_("number"), max_length=32, unique=True)
    # Annotated because the plugin cannot resolve a `through` model named by a string.
    members: models.ManyToManyField[Account, HuntGroupMembership] = models.ManyToManyField(
        Account,
        through="HuntGroupMembership",
        related_name="hunt_groups",
        verbose_name=_("members"),
    )

    class Meta:
        verbose_name = _("hunt group")
        verbose_name_plural = _("hunt groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class HuntGroupMembership(models.Model):
    group = models.ForeignKey(HuntGroup, on_delete=models.CASCADE, verbose_name=_("hunt group"))
    account = models.ForeignKey(Account, on_delete=models.CASCADE, verbose_name=_("account"))
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("hunt group membership")
        verbose_name_plural = _("hunt group memberships")
        constraints = [
            models.UniqueConstraint(fields=["group", "account"], name="huntgroup_unique_member")
        ]

    def __str__(self) -> str:
        return f"{self.account} ∈ {self.group}"


class AuditEvent(models.Model):
    """Who did what to which account, when and from where. Written by `accounts.audit.record`."""

    class ActorKind(models.TextChoices):
        CUSTOMER = "customer", _("customer")
        STAFF = "staff", _("staff")
        OPERATOR = "operator", _("operator command")
        SYSTEM = "system", _("system")

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_kind = models.CharField(_("actor kind"), max_length=10, choices=ActorKind)
    actor_label = models.CharField(_("who"), max_length=150)
    account = models.ForeignKey(
        Account,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("account"),
    )
    kind = models.CharField(_("what"), max_length=64, db_index=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="audit_account_latest")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label}: {self.kind}"


class SentMail(models.Model):
    """An e-mail the mail server has accepted, by its Message-ID: the queue's record that it went
    out. Written by `accounts.mail.deliver`, which sends nothing whose Message-ID is here, so a
    repeated or re-queued delivery never reaches the customer twice.
    """

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")

    def __str__(self) -> str:
        return self.message_id


# Models of a feature package, registered with the app here.
from accounts.sip.models import (  # noqa: E402, F401
    SipAccTransaction,
    SipCdr,
    SipLocation,
    SipLocationAttribute,
    SipMissedCall,
    SipSubscriber,
    SipTableVersion,
)
from accounts.switch_api.models import SwitchToken  # noqa: E402, F401
