"""The seed's "Customer Login" form, the password reset by login or e-mail, and the new
password's fields as every form that sets one names them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import mail
from accounts.models import Account, User


def account_of(user: User) -> Account | None:
    try:
        return user.account
    except (ObjectDoesNotExist, AttributeError):
        return None


class LoginForm(AuthenticationForm):
    """The seed's "Customer Login": Login and Password."""

    username = forms.CharField(
        label=_("Login"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "The login or password is wrong. Check both (in the password, letters must match in "
            "case) and try again."
        ),
        "inactive": _("This login is not active. Please contact your service provider."),
        "blocked": _(
            "This account is blocked, so you cannot sign in. Please contact your service provider "
            "or administrator."
        ),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        account = account_of(user)
        if account is not None and account.is_blocked:
            raise ValidationError(self.error_messages["blocked"], code="blocked")


class LoginOrEmailPasswordResetForm(PasswordResetForm):
    """Django's reset form, but customers may give their login as well as their e-mail.

    Like Django's, it answers the same whether or not anything matched.
    """

    email = forms.CharField(
        label=_("Login or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )

    def get_users(self, login_or_email: str) -> Iterator[User]:
        value = login_or_email.strip()
        # The login regardless of case, as signing in finds it (User.objects.with_login).
        by_login = User.objects.with_login(value).values("pk")
        candidates = User._default_manager.filter(
            Q(pk__in=by_login) | Q(email__iexact=value), is_active=True
        ).exclude(email="")
        return (user for user in candidates if user.has_usable_password())

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Through the portal's one mail sender: in the customer's language and time zone, not
        # the language of whoever asked. The trio is named by its text template.
        name = email_template_name.removeprefix("emails/").removesuffix(".txt")
        mail.send(name, context, to=[to_email], account=account_of(context["user"]))


NEW_PASSWORD_ERRORS = {
    "password_mismatch": _(
        "The two new passwords are different. Type the same new password in both fields."
    ),
}


def name_new_password_fields(form: forms.Form) -> None:
    """The seed's labels on Django's new_password1/new_password2, the same on every page."""
    form.fields["new_password1"].label = _("New password")
    form.fields["new_password2"].label = _("Confirm password")
    form.fields["new_password2"].help_text = _("Type the new password again.")


class NewPasswordForm(SetPasswordForm):
    """Choosing a new password after a reset link: Django's form, labelled like Mój profil's."""

    error_messages = {**SetPasswordForm.error_messages, **NEW_PASSWORD_ERRORS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_new_password_fields(self)


class CodeInput(forms.TextInput):
    """A one-time code's field: a refused code is never filled in again, like a password."""

    def format_value(self, value: Any) -> str | None:
        return None


class SignInCodeForm(forms.Form):
    """The "Kod" step of a sign-in with two-step verification: an app's code or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        error_messages={"required": _("Enter the code.")},
        widget=CodeInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )
