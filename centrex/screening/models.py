"""Call screening ("Selektywne kierowanie połączeń"): an account's master switch and its rules.

These models only hold the data. What a rule matches and what the switch does with a call is
decided in `centrex.screening` (the one implementation the portal's tester and an integration
with the switch both call); changes go through the functions there too, so each is audited.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from accounts.models import Account

# Days of the week as bits, Monday = bit 0 … Sunday = bit 6 (Python's date.weekday()).
ALL_DAYS = 0b1111111
ANONYMOUS = "anonymous"


class ScreeningSettings(models.Model):
    """The customer's master switch. Created on first change; until then screening is on."""

    account = models.OneToOneField(
        Account,
        on_delete=models.CASCADE,
        related_name="screening_settings",
        verbose_name=_("account"),
    )
    enabled = models.BooleanField(
        _("call screening on"),
        default=True,
        help_text=_("When off, no rule is applied and every call rings the phone."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("call screening settings")
        verbose_name_plural = _("call screening settings")

    def __str__(self) -> str:
        return str(self.account)


class ScreeningRule(models.Model):
    """One rule: which calls (callers, called number, time window) and what to do with them.

    Rules are tried in `position` order and the first enabled rule that matches wins.
    Positions need not be contiguous or unique: ties are broken by id, and moving a rule
    renumbers the account's rules.

    Time window: `days` are the days on which the window *starts*; `time_from`–`time_to` is a
    wall-clock interval in the account's time zone, end excluded. Without times the window is
    the whole of each chosen day. When `time_to` is earlier than `time_from` the window runs
    past midnight into the next day: Friday 22:00–06:00 covers Saturday 03:00.
    """

    class Action(models.TextChoices):
        RING = "ring", _("Ring my phone")
        REJECT = "reject", _("Reject the call")
        FORWARD = "forward", _("Forward to a number")
        VOICEMAIL = "voicemail", _("Send to voicemail")
        RING_THEN_VOICEMAIL = "ring_voicemail", _("Ring, then send to voicemail")
        RING_THEN_FORWARD = "ring_forward", _("Ring, then forward to a number")

    VOICEMAIL_ACTIONS = frozenset({Action.VOICEMAIL, Action.RING_THEN_VOICEMAIL})
    FORWARD_ACTIONS = frozenset({Action.FORWARD, Action.RING_THEN_FORWARD})
    RING_FIRST_ACTIONS = frozenset({Action.RING_THEN_VOICEMAIL, Action.RING_THEN_FORWARD})

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="screening_rules",
        verbose_name=_("account"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    enabled = models.BooleanField(_("enabled"), default=True)
    name = models.CharField(_("name"), max_length=100)
    # One pattern per line in the operator's syntax (see centrex.screening.patterns.parse_pattern).
    caller_patterns = models.TextField(_("caller numbers"))
    called_number = models.CharField(
        _("called number"),
        max_length=32,
        blank=True,
        help_text=_("Empty: calls to any of the account's numbers."),
    )
    days = models.PositiveSmallIntegerField(
        _("days of the week"),
        default=ALL_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(ALL_DAYS)],
    )
    time_from = models.TimeField(_("from"), null=True, blank=True)
    time_to = models.TimeField(_("to"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action, default=Action.RING)
    forward_to = models.CharField(_("forward to"), max_length=32, blank=True)
    ring_seconds = models.PositiveSmallIntegerField(
        _("ring for (seconds)"),
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
        help_text=_("For “ring, then …” actions: how long the phone rings first."),
    )
    # The rule that "block this number" in the call history adds numbers to.
    is_blocklist = models.BooleanField(_("blocked numbers list"), default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("call screening rule")
        verbose_name_plural = _("call screening rules")
        ordering = ["account", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(is_blocklist=True),
                name="screeningrule_one_blocklist_per_account",
            ),
            models.CheckConstraint(
                condition=models.Q(days__gte=1, days__lte=ALL_DAYS),
                name="screeningrule_days_valid",
            ),
            # Both times or neither (neither = the whole day).
            models.CheckConstraint(
                condition=models.Q(time_from__isnull=True, time_to__isnull=True)
                | models.Q(time_from__isnull=False, time_to__isnull=False),
                name="screeningrule_times_paired",
            ),
            # Equal times would be ambiguous (no time at all, or a full day?): never stored.
            models.CheckConstraint(
                condition=models.Q(time_from__isnull=True) | ~models.Q(time_from=F("time_to")),
                name="screeningrule_times_differ",
            ),
        ]
        indexes = [models.Index(fields=["account", "position"], name="screeningrule_order")]

    def __str__(self) -> str:
        return self.name

    @property
    def patterns(self) -> list[str]:
        return [line.strip() for line in self.caller_patterns.splitlines() if line.strip()]

    @property
    def weekdays(self) -> list[int]:
        """The chosen days as date.weekday() numbers (Monday = 0)."""
        return [day for day in range(7) if self.days & (1 << day)]

    @property
    def is_always(self) -> bool:
        return self.days == ALL_DAYS and self.time_from is None

    @property
    def crosses_midnight(self) -> bool:
        return (
            self.time_from is not None
            and self.time_to is not None
            and (self.time_to < self.time_from)
        )

    @property
    def uses_voicemail(self) -> bool:
        return self.action in self.VOICEMAIL_ACTIONS

    @property
    def forwards(self) -> bool:
        return self.action in self.FORWARD_ACTIONS

    @property
    def rings_first(self) -> bool:
        return self.action in self.RING_FIRST_ACTIONS

    def day_names(self, *, short: bool = True) -> list[str]:
        names = WEEKDAYS_ABBR if short else WEEKDAYS
        return [str(names[day]) for day in self.weekdays]
