"""Forms of call screening: a rule, the "What happens if…" tester, and the staff's rule form.

Validation of numbers and patterns is `centrex.screening`'s, so the portal, the admin and the
"block this number" button accept exactly the same things.
"""

from __future__ import annotations

import datetime
from datetime import time
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from centrex.screening.models import ALL_DAYS, ScreeningRule
from centrex.screening.numbers import (
    DEFAULT_REGION,
    account_numbers,
    clean_number,
    forward_target,
    is_number,
    number_key,
)
from centrex.screening.patterns import display_pattern, parse_patterns

if TYPE_CHECKING:
    from django.forms.utils import ErrorDict
    from django_stubs_ext import StrPromise

WINDOW_ALWAYS = "always"
WINDOW_SCHEDULED = "scheduled"
DEFAULT_RING_SECONDS = 20
# The tester's dates: wide enough for any real question, narrow enough for date arithmetic.
TESTER_FIRST_YEAR, TESTER_LAST_YEAR = 1970, 2199

DAY_CHOICES = [(str(day), WEEKDAYS[day]) for day in range(7)]


def _minutes_only(value: time | None) -> time | None:
    return value.replace(second=0, microsecond=0) if value is not None else None


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def patterns_help_text() -> StrPromise:
    return _(
        "One per line, or separated by commas: a whole number (+48 22 123 45 67, or 221234567 "
        "within your country), a prefix ending in % (+4822%), x for any one digit (60xxxxxxx), "
        "or “anonymous” for calls without a caller number."
    )


def patterns_required_message() -> str:
    return _(
        "Enter at least one caller number or pattern, or “%(anonymous)s” for calls without a "
        "caller number."
    ) % {"anonymous": _("anonymous")}


class RuleChecksMixin(forms.ModelForm):
    """What the customer's and the staff's rule forms both check: the caller patterns, the time
    window (always, or days and from–to times) and the action's target, so a rule the portal
    refuses is refused in the admin too.

    A ModelForm of ScreeningRule that is abstract in intent: it has no Meta and no fields of
    its own, only the checks; each form that uses it names its fields.
    """

    instance: ScreeningRule
    # BaseForm.full_clean() sets it before clean() runs; the stubs leave the attribute out.
    _errors: ErrorDict

    # The admin builds its form from its field list, so there the days field may not share
    # the model field's name (it would be saved as a list).
    days_field = "days"

    def check_window(self, data: dict[str, Any]) -> int | None:
        """Check the window fields; set the times in `data`; return the days bit set."""
        if data.get("window") != WINDOW_SCHEDULED:
            # "Always": whatever was typed in the day and time fields does not count.
            for name in (self.days_field, "time_from", "time_to"):
                self._errors.pop(name, None)
            data["time_from"] = data["time_to"] = None
            return ALL_DAYS
        days = data.get(self.days_field) or []
        if not days and self.days_field not in self.errors:
            self.add_error(
                self.days_field,
                ValidationError(
                    _("Choose at least one day of the week, or choose “Always”."),
                    code="no_days",
                ),
            )
        start = _minutes_only(data.get("time_from"))
        end = _minutes_only(data.get("time_to"))
        data["time_from"], data["time_to"] = start, end
        if "time_from" not in self.errors and "time_to" not in self.errors:
            if (start is None) != (end is None):
                self.add_error(
                    "time_to" if end is None else "time_from",
                    ValidationError(
                        _("Enter both times, or leave both empty for the whole day."),
                        code="one_time",
                    ),
                )
            elif start is not None and start == end:
                self.add_error(
                    "time_to",
                    ValidationError(
                        _(
                            "The end time must differ from the start time. For the whole day "
                            "leave both empty; an end earlier than the start runs past midnight."
                        ),
                        code="same_times",
                    ),
                )
        return sum(1 << int(day) for day in days) or None

    def clean_caller_patterns(self) -> str:
        return "\n".join(parse_patterns(self.cleaned_data["caller_patterns"]))

    def check_action(self, data: dict[str, Any], account: Account | None) -> None:
        """Check the fields the chosen action uses; clear the ones it does not."""
        action = data.get("action")
        if action in ScreeningRule.FORWARD_ACTIONS:
            if "forward_to" not in self.errors and account is not None:
                try:
                    data["forward_to"] = forward_target(data.get("forward_to", ""), account)
                except ValidationError as error:
                    self.add_error("forward_to", error)
        else:
            self._errors.pop("forward_to", None)  # not used by this action
            data["forward_to"] = ""
        if action not in ScreeningRule.RING_FIRST_ACTIONS:
            self._errors.pop("ring_seconds", None)
        if data.get("ring_seconds") is None and "ring_seconds" not in self.errors:
            data["ring_seconds"] = self.instance.ring_seconds or DEFAULT_RING_SECONDS


class RuleForm(RuleChecksMixin):
    """A customer's rule. Voicemail actions are offered only with voicemail enabled."""

    name = forms.CharField(label=_("Name"), max_length=100)
    enabled = forms.BooleanField(label=_("Rule enabled"), required=False, initial=True)
    caller_patterns = forms.CharField(
        label=_("Caller numbers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
    )
    called_number = forms.ChoiceField(
        label=_("Called number"),
        required=False,
        help_text=_("Which of your numbers the call is made to."),
    )
    window = forms.ChoiceField(
        label=_("When"),
        choices=[
            (WINDOW_ALWAYS, _("Always")),
            (WINDOW_SCHEDULED, _("On chosen days and times")),
        ],
        widget=forms.RadioSelect,
        initial=WINDOW_ALWAYS,
    )
    days = forms.MultipleChoiceField(
        label=_("Days of the week"),
        choices=DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("A window that runs past midnight belongs to the day it starts on."),
    )
    time_from = forms.TimeField(
        label=_("From"),
        required=False,
        widget=TimeInput,
        help_text=_("Leave both times empty for the whole day."),
    )
    time_to = forms.TimeField(
        label=_("To"),
        required=False,
        widget=TimeInput,
        help_text=_("An end earlier than the start runs into the next day (22:00–06:00)."),
    )
    action = forms.ChoiceField(
        label=_("Action"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the actions listed.")},
    )
    forward_to = forms.CharField(
        label=_("Forward to"),
        required=False,
        max_length=40,
        help_text=_("For forwarding actions: the number to forward calls to."),
    )
    ring_seconds = forms.IntegerField(
        label=_("Ring for (seconds)"),
        required=False,
        min_value=5,
        max_value=120,
        help_text=_("For “ring, then …” actions: how long your phone rings first (5–120)."),
    )

    # The order of the page, so the error summary lists errors in the order of the fields.
    field_order = [
        "name",
        "caller_patterns",
        "called_number",
        "enabled",
        "window",
        "days",
        "time_from",
        "time_to",
        "action",
        "forward_to",
        "ring_seconds",
    ]

    class Meta:
        model = ScreeningRule
        fields = [
            "name",
            "enabled",
            "caller_patterns",
            "called_number",
            "time_from",
            "time_to",
            "action",
            "forward_to",
            "ring_seconds",
        ]

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        self.account = account
        super().__init__(*args, **kwargs)
        self.instance.account = account
        numbers = account_numbers(account)
        current = self.instance.called_number
        if current and current not in numbers:
            numbers.append(current)  # no longer the account's, but keep the saved choice
        called_number = self.fields["called_number"]
        action = self.fields["action"]
        assert isinstance(called_number, forms.ChoiceField)  # both declared as one above
        assert isinstance(action, forms.ChoiceField)
        called_number.choices = [("", _("Any of my numbers"))] + [
            (number, number) for number in numbers
        ]
        action.choices = [
            (value, label)
            for value, label in ScreeningRule.Action.choices
            if account.voicemail_enabled or value not in ScreeningRule.VOICEMAIL_ACTIONS
        ]
        self.fields["caller_patterns"].help_text = patterns_help_text()
        self.fields["caller_patterns"].error_messages["required"] = patterns_required_message()
        rule = self.instance
        if rule.pk is not None:
            self.initial["window"] = WINDOW_ALWAYS if rule.is_always else WINDOW_SCHEDULED
            self.initial["days"] = [str(day) for day in rule.weekdays]
            self.initial["caller_patterns"] = "\n".join(display_pattern(p) for p in rule.patterns)
        else:
            self.initial.setdefault("days", [str(day) for day in range(7)])
            self.initial.setdefault("ring_seconds", DEFAULT_RING_SECONDS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        days = self.check_window(data)
        if days:
            self.instance.days = days
        self.check_action(data, self.account)
        return data


class TesterForm(forms.Form):
    """ "What happens if…": a call from a number, to one of the account's numbers, at a time."""

    caller = forms.CharField(
        label=_("Caller number"),
        required=False,
        max_length=40,
        help_text=_("Leave empty for a call without a caller number."),
    )
    called = forms.ChoiceField(
        label=_("Called number"),
        required=False,
        help_text=_("Rules limited to one of your numbers match only calls to that number."),
    )
    date = forms.DateField(
        label=_("Date"), widget=DateInput, input_formats=["%Y-%m-%d", "%d.%m.%Y"]
    )
    time = forms.TimeField(label=_("Time"), widget=TimeInput, input_formats=["%H:%M", "%H:%M:%S"])

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        called = self.fields["called"]
        assert isinstance(called, forms.ChoiceField)  # declared as one above
        called.choices = [("", _("Not specified"))] + [
            (number, number) for number in account_numbers(account)
        ]
        self.fields["date"].help_text = _("In your time zone (%(zone)s).") % {
            "zone": account.time_zone
        }

    def clean_caller(self) -> str:
        raw = self.cleaned_data["caller"]
        if number_key(raw, DEFAULT_REGION) is None:
            return ""  # empty, or a word for "anonymous"
        if not is_number(raw):
            raise ValidationError(
                _(
                    "Enter a phone number (digits, optionally starting with + or 00), or leave "
                    "it empty for a call without a caller number."
                ),
                code="invalid_caller",
            )
        return clean_number(raw)

    def clean_date(self) -> datetime.date:
        value = self.cleaned_data["date"]
        if not TESTER_FIRST_YEAR <= value.year <= TESTER_LAST_YEAR:
            raise ValidationError(
                _("Enter a date between %(first)d and %(last)d."),
                code="date_out_of_range",
                params={"first": TESTER_FIRST_YEAR, "last": TESTER_LAST_YEAR},
            )
        return value


class RuleAdminForm(RuleChecksMixin):
    """The staff's rule form: the same checks as the customer's, for any account."""

    days_field = "week_days"

    window = forms.ChoiceField(
        label=_("When"),
        choices=[
            (WINDOW_ALWAYS, _("Always")),
            (WINDOW_SCHEDULED, _("On chosen days and times")),
        ],
        initial=WINDOW_ALWAYS,
    )
    week_days = forms.MultipleChoiceField(
        label=_("Days of the week"),
        choices=DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ScreeningRule
        fields = [
            "account",
            "position",
            "enabled",
            "name",
            "caller_patterns",
            "called_number",
            "time_from",
            "time_to",
            "action",
            "forward_to",
            "ring_seconds",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caller_patterns"].help_text = patterns_help_text()
        self.fields["caller_patterns"].error_messages["required"] = patterns_required_message()
        rule = self.instance
        if rule.pk is not None:
            self.initial["window"] = WINDOW_ALWAYS if rule.is_always else WINDOW_SCHEDULED
            self.initial["week_days"] = [str(day) for day in rule.weekdays]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        days = self.check_window(data)
        if days:
            self.instance.days = days
        # A new rule names its account in the form; a changed one keeps its own.
        account = data.get("account") or getattr(self.instance, "account", None)
        self.check_action(data, account)
        return data
