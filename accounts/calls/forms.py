"""The filters of "Spis połączeń"."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import CallRecord


class CallFilterForm(forms.Form):
    """The filters of "Spis połączeń", read from the query string (a GET form, so bookmarkable).

    Every field is optional. Dates are days in the account's time zone. A field with a bad
    value gets an error and is left out of `cleaned_data`, so the list still shows, filtered by
    the fields that are valid.
    """

    RESULT_ANSWERED = "answered"
    RESULT_UNSUCCESSFUL = "unsuccessful"
    # Days outside this range cannot be calls and would overflow date arithmetic near year 9999.
    EARLIEST_DAY = date(1970, 1, 1)
    LATEST_DAY = date(2099, 12, 31)

    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the start date as a date, e.g. 2026-11-24.")},
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the end date as a date, e.g. 2026-11-30.")},
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[("", _("All directions")), *CallRecord.Direction.choices],
        error_messages={"invalid_choice": _("Choose a direction from the list.")},
    )
    result = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[
            ("", _("All results")),
            (RESULT_ANSWERED, _("Answered")),
            (RESULT_UNSUCCESSFUL, _("Unsuccessful (no answer, busy, failed)")),
        ],
        error_messages={"invalid_choice": _("Choose a result from the list.")},
    )
    number = forms.CharField(
        label=_("Number contains"),
        required=False,
        max_length=64,
        error_messages={
            "max_length": _("Enter at most %(limit_value)d characters of the number."),
        },
    )

    def clean_date_from(self) -> date | None:
        return self._check_day(self.cleaned_data["date_from"])

    def clean_date_to(self) -> date | None:
        return self._check_day(self.cleaned_data["date_to"])

    def _check_day(self, day: date | None) -> date | None:
        if day is not None and not (self.EARLIEST_DAY <= day <= self.LATEST_DAY):
            raise ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s."),
                code="out_of_range",
                params={
                    "earliest": date_format(self.EARLIEST_DAY, "SHORT_DATE_FORMAT"),
                    "latest": date_format(self.LATEST_DAY, "SHORT_DATE_FORMAT"),
                },
            )
        return day

    def clean_number(self) -> str:
        # People copy numbers with spaces and dashes ("+48 22 123-45-67"); the switch stores
        # digits only, so those separators would make a search find nothing.
        return "".join(self.cleaned_data["number"].split()).replace("-", "")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error(
                "date_to",
                ValidationError(
                    _("The end date must be the same as or after the start date."),
                    code="end_before_start",
                ),
            )
        return cleaned
