"""Forms of "Bezpieczeństwo": the first code of a new authenticator, and the password again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.auth.forms import CodeInput
from accounts.models import User


class FirstCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=20,
        help_text=_("After scanning, the app shows a 6-digit code for Konto. Enter it here."),
        error_messages={"required": _("Enter the code the app shows.")},
        widget=CodeInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class PasswordAgainForm(forms.Form):
    """The account's password once more, before a change that weakens or replaces a safeguard."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        error_messages={"required": _("Enter your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(
                _("The password is wrong. Enter the password you use to sign in."),
                code="password_incorrect",
            )
        return password
