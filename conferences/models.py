"""Conferences: scheduled conferences and permanent meeting rooms, their access codes, invitees.

Times: `starts_at` and `ends_at` are aware UTC. A scheduled conference runs from `starts_at` to
`ends_at`, which is its duration later in real time (`local_time.end_after`), also on the days
the clocks change. A permanent meeting room opens at `starts_at` and has no end (`ends_at` is NULL)
until staff end it. So, at any moment:

    past     ends_at <= now                       (over: its codes are released)
    current  starts_at <= now and not over        (permanent rooms are always current)
    future   starts_at > now

Access codes live in their own table with a unique `code` column, so the database itself
guarantees that no two live conferences share a code, however many are created at the same
moment. A row exists only while its conference is not over: `access_codes.release_codes_of_ended`
deletes the rows of conferences that have ended (it runs before codes are generated and from
the `release_conference_codes` command), and ending or deleting a conference deletes its rows.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import validators
from accounts.models import Account

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# What a customer may choose (the form and the service check both).
MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 24 * 60
# The account limit staff set cannot be lower (accounts.validators), so a room is always possible.
MIN_PARTICIPANTS = validators.MIN_CONFERENCE_PARTICIPANTS
MAX_INVITEES = 100
# Digits in an access code. The issue allows 6–9; 8 digits make guessing a live code of any
# conference hopeless even with many thousands of conferences at once, and are still easy to
# key in on a phone.
CODE_LENGTH = 8
# The days a conference may start on. A date near year 1 or 9999 cannot even be turned into
# UTC or given an end; a real plan is never that far away.
EARLIEST_START_DAY = date(2000, 1, 1)
LATEST_START_DAY = date(2099, 12, 31)
# Callers may dial in this long before a scheduled conference starts.
EARLY_JOIN = timedelta(minutes=15)


class ConferenceQuerySet(models.QuerySet["Conference"]):
    def past(self, now: datetime | None = None) -> ConferenceQuerySet:
        now = now or timezone.now()
        return self.filter(ends_at__lte=now)

    def not_over(self, now: datetime | None = None) -> ConferenceQuerySet:
        now = now or timezone.now()
        return self.filter(models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now))

    def current(self, now: datetime | None = None) -> ConferenceQuerySet:
        now = now or timezone.now()
        return self.not_over(now).filter(starts_at__lte=now)

    def future(self, now: datetime | None = None) -> ConferenceQuerySet:
        now = now or timezone.now()
        return self.filter(starts_at__gt=now)

    def shown(self, show: str, now: datetime | None = None) -> ConferenceQuerySet:
        """The list's filter (`?show=`), in the order the list shows it."""
        now = now or timezone.now()
        if show == "past":
            return self.past(now).order_by("-ends_at", "-id")
        if show == "future":
            return self.future(now).order_by("starts_at", "id")
        if show == "current":
            return self.current(now).order_by("starts_at", "id")
        return self.order_by("-starts_at", "-id")


class Conference(models.Model):
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="conferences",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    is_permanent = models.BooleanField(_("permanent meeting room"), default=False)
    starts_at = models.DateTimeField(_("start time"))
    ends_at = models.DateTimeField(_("end time"), null=True, blank=True)
    max_session_minutes = models.PositiveIntegerField(
        _("maximum session time per participant (minutes)"), null=True, blank=True
    )
    max_participants = models.PositiveSmallIntegerField(_("maximum participants"))
    wait_for_moderator = models.BooleanField(_("wait for the moderator"), default=False)
    announce_join_leave = models.BooleanField(_("announce joining and leaving"), default=False)
    mute_on_join = models.BooleanField(_("mute participants on join"), default=False)
    music_on_hold = models.BooleanField(_("music on hold while alone"), default=True)
    record = models.BooleanField(_("record the conference"), default=False)

    # iCalendar (RFC 5545): the UID never changes; SEQUENCE grows with every change invitees see.
    ical_uid = models.CharField(_("calendar UID"), max_length=100, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    # The one-time token of the "new conference" form: submitting it twice creates one conference.
    creation_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ConferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("conference")
        verbose_name_plural = _("conferences")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_permanent=True) | models.Q(ends_at__isnull=False),
                name="conference_scheduled_has_end",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gte=models.F("starts_at")),
                name="conference_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "starts_at"], name="conference_account_start"),
            models.Index(fields=["account", "ends_at"], name="conference_account_end"),
            models.Index(fields=["ends_at"], name="conference_ends_at"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.ical_uid:
            self.ical_uid = f"conference-{uuid.uuid4()}@konto"
        super().save(*args, **kwargs)

    # State ---------------------------------------------------------------------------------

    def is_over(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.ends_at is not None and self.ends_at <= now

    def has_started(self, now: datetime | None = None) -> bool:
        return self.starts_at <= (now or timezone.now())

    def is_in_progress(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.has_started(now) and not self.is_over(now)

    @property
    def state(self) -> str:
        if self.is_over():
            return "past"
        return "current" if self.has_started() else "future"

    def get_state_display(self) -> StrPromise:
        return {
            "past": _("Ended"),
            "current": _("In progress"),
            "future": _("Scheduled"),
        }[self.state]

    @property
    def duration_minutes(self) -> int | None:
        if self.ends_at is None:
            return None
        # In UTC: two times in the same zone subtract on the wall clock, which is off by an
        # hour across a clock change (local_time).
        real = self.ends_at.astimezone(UTC) - self.starts_at.astimezone(UTC)
        return round(real.total_seconds() / 60)

    def get_duration_display(self) -> str:
        if self.is_permanent and self.ends_at is None:
            return str(_("permanent meeting room"))
        return format_minutes(self.duration_minutes or 0)

    def get_max_session_display(self) -> str:
        if self.max_session_minutes is None:
            return ""
        return format_minutes(self.max_session_minutes)

    # Codes ---------------------------------------------------------------------------------

    def codes(self) -> dict[str, str]:
        """{"host": …, "guest": …} for a live conference; {} once its codes are released.

        Uses the prefetched `access_codes` when the caller prefetched them.
        """
        return {c.role: c.code for c in self.access_codes.all()}

    @property
    def host_code(self) -> str:
        return self.codes().get(AccessCode.Role.HOST, "")

    @property
    def guest_code(self) -> str:
        return self.codes().get(AccessCode.Role.GUEST, "")

    def invitee_emails(self) -> list[str]:
        return [i.email for i in self.invitees.all()]


def format_minutes(minutes: int) -> str:
    """90 → "1 h 30 min" (Polish: "1 godz. 30 min")."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}


def dial_in_links(code: str) -> list[tuple[str, str]]:
    """[(number, tel: URI that dials the number, waits and keys in the code and #)]."""
    return [
        (number, f"tel:{number},,{code}%23" if code else f"tel:{number}")
        for number in settings.CONFERENCE_DIAL_IN_NUMBERS
    ]


class AccessCode(models.Model):
    """A live conference's host (moderator) or guest code. See the module docstring."""

    class Role(models.TextChoices):
        HOST = "host", _("host (moderator) code")
        GUEST = "guest", _("guest code")

    code = models.CharField(_("code"), max_length=9, unique=True)
    conference = models.ForeignKey(
        Conference,
        on_delete=models.CASCADE,
        related_name="access_codes",
        verbose_name=_("conference"),
    )
    role = models.CharField(_("role"), max_length=5, choices=Role)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")
        constraints = [
            models.UniqueConstraint(fields=["conference", "role"], name="accesscode_one_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.code}"


class Invitee(models.Model):
    conference = models.ForeignKey(
        Conference,
        on_delete=models.CASCADE,
        related_name="invitees",
        verbose_name=_("conference"),
    )
    email = models.EmailField(_("e-mail"))

    class Meta:
        verbose_name = _("invitee")
        verbose_name_plural = _("invitees")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                "conference", Lower("email"), name="invitee_unique_email_per_conference"
            ),
        ]

    def __str__(self) -> str:
        return self.email
