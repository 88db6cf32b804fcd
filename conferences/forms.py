from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Account
from conferences import local_time, rules
from conferences.models import (
    EARLIEST_START_DAY,
    LATEST_START_DAY,
    MAX_DURATION_MINUTES,
    MAX_INVITEES,
    MIN_DURATION_MINUTES,
    MIN_PARTICIPANTS,
    Conference,
)

# More than this many characters is not a list of 100 addresses but something pasted by mistake.
MAX_INVITEES_TEXT = 40_000
SEPARATORS = re.compile(r"[\s,;]+")


def parse_emails(text: str) -> tuple[list[str], list[str]]:
    """Split a list of e-mail addresses (commas, semicolons, spaces or new lines between).

    Returns (valid addresses without duplicates, invalid entries). "Name <a@b.pl>" is not
    supported: only the addresses themselves.
    """
    valid: dict[str, str] = {}
    invalid: list[str] = []
    for item in SEPARATORS.split(text or ""):
        item = item.strip()
        if not item:
            continue
        try:
            validate_email(item)
        except ValidationError:
            invalid.append(item)
        else:
            valid.setdefault(item.lower(), item)
    return list(valid.values()), invalid


def _minutes_field(label, help_text, required_message):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=MIN_DURATION_MINUTES,
        max_value=MAX_DURATION_MINUTES,
        error_messages={
            "required": required_message,
            "invalid": _("Enter a whole number of minutes, for example 90."),
            "min_value": _("Enter at least %(limit_value)s minutes."),
            "max_value": _("Enter at most %(limit_value)s minutes (24 hours)."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


# The two answers to "which 02:30?" on the night the clocks go back (PEP 495's fold 0 and 1).
FIRST = "first"
SECOND = "second"


class ConferenceForm(forms.Form):
    """Add or edit a conference. Times are entered in the account's time zone.

    Only input is checked here (formats, bounds, the invitee list). The rules that depend on
    the account and the moment (start in the future, limits, what may change once a
    conference has started) are in `rules`, which the services apply to the cleaned data.
    """

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        error_messages={
            "required": _("Enter a name for the conference."),
            "max_length": _("Enter a name of at most %(limit_value)d characters."),
        },
    )
    start_date = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date, for example 2026-03-17.")},
    )
    start_time = forms.TimeField(
        label=_("Start time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time as hours and minutes, for example 10:00.")},
    )
    # Asked only when the start is a time that happens twice (the clocks go back): which one.
    # The choices' words name the time and its offsets (see _ask_which_start).
    start_fold = forms.ChoiceField(
        label=_("Which one do you mean?"),
        help_text=_(
            "The clocks go back an hour that night, so this time happens twice, an hour apart."
        ),
        required=False,
        choices=[(FIRST, FIRST), (SECOND, SECOND)],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the two times.")},
    )
    duration_minutes = _minutes_field(
        _("Duration (minutes)"),
        _("From 5 minutes to 24 hours (1440 minutes)."),
        _("Enter the duration in minutes."),
    )
    is_permanent = forms.BooleanField(
        label=_("Permanent meeting room"),
        required=False,
        help_text=_(
            "A room that is always open, with the same codes, instead of a conference at a set "
            "time. The start and duration are then not used."
        ),
    )
    max_session_minutes = _minutes_field(
        _("Maximum session time per participant (minutes)"),
        _("For a permanent meeting room: how long one participant may stay connected."),
        _("Enter the maximum session time per participant for a permanent room."),
    )
    max_participants = forms.IntegerField(
        label=_("Maximum participants"),
        min_value=MIN_PARTICIPANTS,
        error_messages={
            "required": _("Enter the maximum number of participants."),
            "invalid": _("Enter a whole number, for example 10."),
            "min_value": _("A conference needs at least %(limit_value)s participants."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("Enter a description of at most %(limit_value)d characters.")
        },
    )
    wait_for_moderator = forms.BooleanField(
        label=_("Wait for the moderator"),
        required=False,
        help_text=_("Guests hear music until someone joins with the host code."),
    )
    announce_join_leave = forms.BooleanField(
        label=_("Announce joining and leaving"), required=False
    )
    mute_on_join = forms.BooleanField(label=_("Mute participants on join"), required=False)
    music_on_hold = forms.BooleanField(label=_("Music on hold while alone"), required=False)
    record = forms.BooleanField(label=_("Record the conference"), required=False)
    invitees = forms.CharField(
        label=_("Invitees"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_(
            "E-mail addresses, separated by commas or on separate lines (at most 100). Each "
            "invitee gets an e-mail with the dial-in numbers, the guest code and a calendar "
            "entry."
        ),
    )

    def __init__(self, *args, account: Account, conference: Conference | None = None, **kwargs):
        self.account = account
        self.conference = conference
        if conference is not None:
            kwargs.setdefault("initial", initial_for(conference, account))
        super().__init__(*args, **kwargs)
        self.fields["max_participants"].help_text = ngettext(
            "Your account allows up to %(limit)d participant.",
            "Your account allows up to %(limit)d participants.",
            account.max_conference_participants,
        ) % {"limit": account.max_conference_participants}
        # Whether the form shows the "which one?" choice: the start happens twice that day.
        self.start_is_repeated = False
        # (A bound form decides in clean(), from the date and time posted.)
        if (
            not self.is_bound
            and conference is not None
            and not conference.is_permanent
            and local_time.is_repeated(conference.starts_at, account.zone)
        ):
            self._ask_which_start(timezone.localtime(conference.starts_at, account.zone))
        if conference is not None and conference.has_started():
            # Once it has started a conference can be extended, not moved (the service checks
            # it too; disabled fields keep their initial value whatever is posted).
            for name in ("start_date", "start_time", "start_fold", "is_permanent"):
                self.fields[name].disabled = True
            self.fields["start_date"].help_text = _(
                "The conference has started: it cannot be moved, only made longer or shorter."
            )

    def clean_start_date(self) -> date | None:
        day = self.cleaned_data.get("start_date")
        in_range = day is None or EARLIEST_START_DAY <= day <= LATEST_START_DAY
        if not in_range and not self.fields["start_date"].disabled:
            raise ValidationError(rules.start_day_range_message(), code="out_of_range")
        return day

    def clean_invitees(self) -> list[str]:
        text = self.cleaned_data.get("invitees", "")
        if len(text) > MAX_INVITEES_TEXT:
            raise ValidationError(
                _("The list of invitees is too long. You can invite at most %(max)d people.")
                % {"max": MAX_INVITEES},
                code="too_long",
            )
        valid, invalid = parse_emails(text)
        if invalid:
            shown = ", ".join(invalid[:5]) + (" …" if len(invalid) > 5 else "")
            raise ValidationError(
                ngettext(
                    "This is not a valid e-mail address: %(addresses)s. Correct it or remove it.",
                    "These are not valid e-mail addresses: %(addresses)s. Correct them or "
                    "remove them.",
                    len(invalid),
                )
                % {"addresses": shown},
                code="invalid_email",
            )
        if len(valid) > MAX_INVITEES:
            raise ValidationError(
                ngettext(
                    "You entered %(count)d address. You can invite at most %(max)d people to "
                    "one conference.",
                    "You entered %(count)d addresses. You can invite at most %(max)d people to "
                    "one conference.",
                    len(valid),
                )
                % {"count": len(valid), "max": MAX_INVITEES},
                code="too_many",
            )
        return valid

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        cleaned["starts_at"] = None
        if cleaned.get("is_permanent"):
            return cleaned
        day, time = cleaned.get("start_date"), cleaned.get("start_time")
        if day is None and "start_date" not in self.errors:
            self.add_error("start_date", _("Enter the date the conference starts."))
        if time is None and "start_time" not in self.errors:
            self.add_error("start_time", _("Enter the time the conference starts."))
        if cleaned.get("duration_minutes") is None and "duration_minutes" not in self.errors:
            self.add_error("duration_minutes", _("Enter the duration in minutes."))
        if day is not None and time is not None:
            cleaned["starts_at"] = self._aware(datetime.combine(day, time))
        return cleaned

    def _aware(self, naive: datetime) -> datetime | None:
        """The start as an aware UTC moment, or None with the error at the field to blame."""
        zone = self.account.zone
        answer = self.cleaned_data.get("start_fold")
        fold = {FIRST: 0, SECOND: 1}.get(answer or "")
        try:
            moment = local_time.to_moment(naive, zone, fold)
        except local_time.NonexistentTime:
            # 02:30 on the last Sunday of March in Warsaw: zoneinfo would quietly shift it.
            self.add_error(
                "start_time",
                ValidationError(
                    _(
                        "This time does not exist in your time zone because the clocks are "
                        "moved forward then. Choose another time."
                    ),
                    code="skipped_time",
                ),
            )
        except local_time.AmbiguousTime as repeated:
            self._ask_which_start(repeated.first)
            self.add_error(
                "start_fold",
                ValidationError(
                    _(
                        "%(time)s happens twice on %(day)s in your time zone (%(zone)s), "
                        "because the clocks go back an hour. Choose which %(time)s you mean."
                    ),
                    code="repeated_time",
                    params={
                        "time": time_format(repeated.first, "TIME_FORMAT"),
                        "day": date_format(repeated.first, "SHORT_DATE_FORMAT"),
                        "zone": self.account.time_zone,
                    },
                ),
            )
        except local_time.OutOfRange:
            self.add_error(
                "start_date",
                ValidationError(rules.start_day_range_message(), code="out_of_range"),
            )
        else:
            if local_time.is_repeated(moment, zone):
                # Answered: keep the choice on the page (checked) should the form come back.
                self._ask_which_start(moment.astimezone(zone))
            return moment
        return None

    def _ask_which_start(self, local: datetime) -> None:
        """Show the "which one?" choice for a local time that happens twice.

        Each choice names the time with its UTC offset, and as summer or winter time when
        the zone calls them so (the first is the one before the clocks go back).
        """
        first = local.replace(fold=0)
        second = local.replace(fold=1)
        shown = time_format(first, "TIME_FORMAT")
        seasons = bool(first.dst()) and not second.dst()
        words = {
            FIRST: _("the first %(time)s, summer time (%(offset)s)")
            if seasons
            else _("the first %(time)s (%(offset)s)"),
            SECOND: _("the second %(time)s, winter time (%(offset)s)")
            if seasons
            else _("the second %(time)s (%(offset)s)"),
        }
        zone = self.account.zone
        field = self.fields["start_fold"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (FIRST, words[FIRST] % {"time": shown, "offset": local_time.offset_label(first, zone)}),
            (
                SECOND,
                words[SECOND] % {"time": shown, "offset": local_time.offset_label(second, zone)},
            ),
        ]
        self.start_is_repeated = True


def initial_for(conference: Conference, account: Account) -> dict:
    start = timezone.localtime(conference.starts_at, account.zone)
    repeated = local_time.is_repeated(start, account.zone)
    return {
        "name": conference.name,
        "start_date": start.date(),
        "start_time": start.time().replace(second=0, microsecond=0),
        "start_fold": (SECOND if start.fold else FIRST) if repeated else "",
        "duration_minutes": conference.duration_minutes if not conference.is_permanent else None,
        "is_permanent": conference.is_permanent,
        "max_session_minutes": conference.max_session_minutes,
        "max_participants": conference.max_participants,
        "description": conference.description,
        "wait_for_moderator": conference.wait_for_moderator,
        "announce_join_leave": conference.announce_join_leave,
        "mute_on_join": conference.mute_on_join,
        "music_on_hold": conference.music_on_hold,
        "record": conference.record,
        "invitees": "\n".join(conference.invitee_emails()),
    }


class NewConferenceForm(ConferenceForm):
    """The add form also carries a one-time token, so submitting it twice creates one conference."""

    creation_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creation_token"].initial = uuid.uuid4()
        self.fields["creation_token"].error_messages["required"] = _(
            "This form has expired. Please fill it in and save it again."
        )
        self.fields["creation_token"].error_messages["invalid"] = _(
            "This form has expired. Please fill it in and save it again."
        )
