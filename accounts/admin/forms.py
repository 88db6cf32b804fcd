"""The forms of the staff's account screens: the account itself, and a balance adjustment.

Both check values with the same rules as the customer's forms, the import and the commands.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts import validators
from accounts.countries import country_choices
from accounts.features import FEATURE_AND_LIMIT_FIELDS, check_features
from accounts.form_fields import AmountField
from accounts.ledger.services import MANUAL_BALANCE_KINDS, check_adjustment
from accounts.models import Account, PhoneNumber
from accounts.widgets import LongSelect

if TYPE_CHECKING:
    pass

PHONE_FIELDS = ("phone", "fax", "alt_phone")


class AccountAdminForm(forms.ModelForm):
    """The account, with the customer's e-mail (kept on the User) on the same page."""

    # Labels capitalised as the model's own fields are on the page.
    email = forms.EmailField(label=capfirst(_("e-mail")), required=False)
    country = forms.ChoiceField(
        label=capfirst(_("country")), choices=country_choices, required=False, widget=LongSelect
    )
    # Typed as in the commands and imports: "1 234,50" or "1234.50".
    credit_limit = AmountField(label=capfirst(_("credit limit")), min_value=Decimal(0))
    low_balance_threshold = AmountField(
        label=capfirst(_("low-balance alert threshold")), required=False, min_value=Decimal(0)
    )

    class Meta:
        model = Account
        # AccountAdmin's fieldsets decide the fields of the page; this is the least of them.
        fields = ["user", "email"]
        widgets = {"time_zone": LongSelect}

    instance: Account

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email
            self.initial.setdefault("email", self.instance.user.email)

    def clean_sip_password(self) -> str:
        value = self.cleaned_data["sip_password"]
        if value == "" and self.instance.sip_password_unreadable:
            # Left empty because it could not be shown: keep the stored secret as it is.
            return self.instance.sip_password
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # The same checks as the profile form, the account import and set_features.
        for name in PHONE_FIELDS:
            if cleaned.get(name):
                try:
                    cleaned[name] = validators.normalize_phone(cleaned[name])
                except ValidationError as error:
                    self.add_error(name, error)
        limits = {name: cleaned[name] for name in FEATURE_AND_LIMIT_FIELDS if name in cleaned}
        try:
            cleaned.update(check_features(self.instance, limits))
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                self.add_error(name, errors)
        return cleaned


class AdjustBalanceForm(forms.Form):
    amount = AmountField(
        label=_("Amount"),
        help_text=_("Added to the balance: negative takes money off (adjustments only)."),
        error_messages={"required": _("Enter the amount, e.g. 50.00.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(kind.value, kind.label) for kind in MANUAL_BALANCE_KINDS],
        error_messages={"required": _("Choose top-up, adjustment or refund.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        help_text=_("Kept with the ledger entry and in the audit trail."),
        error_messages={
            "required": _(
                "Give the reason for the change: it is kept in the ledger and the audit trail."
            ),
            "max_length": _("Keep the reason under %(limit_value)d characters."),
        },
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if {"amount", "kind", "reason"} <= cleaned.keys():
            check_adjustment(cleaned["amount"], cleaned["kind"], cleaned["reason"])
        return cleaned


class PhoneNumberForm(forms.ModelForm):
    """A number as staff type it ("+48 22 380 98 88", "22 380 98 88"), stored as E.164 digits."""

    # Wider than the stored digits: spaces, dashes and "+" are welcome on the way in.
    number = forms.CharField(
        label=_("number"),
        max_length=32,
        widget=forms.TextInput(attrs={"size": 20, "inputmode": "tel"}),
        help_text=_("In international form, such as +48 22 380 98 88."),
    )

    class Meta:
        model = PhoneNumber
        fields = ["number"]

    def clean_number(self) -> str:
        return validators.e164_digits(self.cleaned_data["number"])
