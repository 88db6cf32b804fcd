"""Forms of the Voicemail sub-tab: mailbox settings and the mailbox PIN."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from centrex.voicemail.models import MailboxSettings
from centrex.voicemail.pin import PIN_ERRORS, PIN_MAX_LENGTH, validate_pin


class MailboxSettingsForm(forms.ModelForm):
    """Notification e-mail, what it carries, delete after e-mail, greeting.

    "Delete after e-mail" without the audio attached is refused by MailboxSettings.clean(),
    which the ModelForm runs, so the error shows at that field.
    """

    class Meta:
        model = MailboxSettings
        fields = ["notification_email", "email_mode", "delete_after_email", "greeting"]
        widgets = {
            "notification_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "email_mode": forms.RadioSelect,
            "greeting": forms.RadioSelect,
        }
        error_messages = {
            "notification_email": {
                "invalid": _("Enter an e-mail address in the form name@example.com."),
            },
        }


class PinForm(forms.Form):
    """A new mailbox PIN, typed twice. The PIN is never shown again, not even after an error."""

    pin = forms.CharField(
        label=_("New PIN"),
        strip=True,
        max_length=PIN_MAX_LENGTH,
        help_text=_(
            "From 4 to 8 digits. Not the mailbox number, not one digit repeated, not digits in a "
            "row (1234)."
        ),
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
        error_messages={
            "required": _("Enter the new PIN."),
            "max_length": PIN_ERRORS["length"],
        },
    )
    pin_confirm = forms.CharField(
        label=_("Confirm PIN"),
        strip=True,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
        error_messages={"required": _("Type the new PIN again.")},
    )

    error_messages = {
        "mismatch": _("The two PINs do not match. Type the same PIN in both fields."),
    }

    def __init__(self, *args, account: Account, **kwargs) -> None:
        self.account = account
        super().__init__(*args, **kwargs)

    def clean_pin(self) -> str:
        pin = self.cleaned_data["pin"]
        validate_pin(pin, mailbox=self.account.mailbox)
        return pin

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        pin, confirm = cleaned.get("pin"), cleaned.get("pin_confirm")
        if pin and confirm is not None and pin != confirm:
            self.add_error(
                "pin_confirm", ValidationError(self.error_messages["mismatch"], code="mismatch")
            )
        return cleaned
