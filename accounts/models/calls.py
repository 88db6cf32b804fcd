"""Call records: one row per leg of a call, as the switches report them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache

from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models.accounts import Account
from accounts.models.money import MONEY

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
            # The admin's list of every account's calls, newest first, and its date drill-down
            # (without it each page sorted the whole table: 0.5 s at a million calls).
            models.Index(fields=["-started_at", "-id"], name="callrecord_latest"),
            # Finding the legs of a batch's calls: by key first, across accounts.
            models.Index(
                fields=["call_key", "account"],
                condition=~models.Q(call_key=""),
                name="callrecord_legs_of_call",
            ),
            # On PostgreSQL also callrecord_numbers_trgm, for the number filter: a trigram
            # index that Django's Index cannot declare for both databases (migration 0011).
        ]

    def __str__(self) -> str:
        return f"{self.caller} → {self.callee} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def direction_label(self) -> str:
        """The direction as the call pages and exports show it ("Przychodzące")."""
        return shown_choices(CallRecord.Direction).get(self.direction, self.direction)

    @property
    def disposition_label(self) -> str:
        """The result as the call pages and exports show it ("Nieudane")."""
        return shown_choices(CallRecord.Disposition).get(self.disposition, self.disposition)


def shown_choices(choices: type[models.TextChoices]) -> dict[str, str]:
    """`choices` by code as the call pages and exports show them: capitalised, in the active
    language. Built once per language: Django's get_FOO_display() rebuilds the whole map for
    every cell, a tenth of a page of fifty calls."""
    return _shown_choices(choices, translation.get_language())


@lru_cache(maxsize=32)
def _shown_choices(choices: type[models.TextChoices], language: str | None) -> dict[str, str]:
    # `language` only keys the cache: str() translates into the active language, which it is.
    return {code: capfirst(str(label)) for code, label in choices.choices}
