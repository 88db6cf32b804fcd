"""Forms of "Mój profil": General (contact data), Settings and Change password.

The forms are plain `forms.Form`s filled from the account and saved by `profile.services`, so an
invalid form never touches the account the page header shows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import time_zones, validators
from accounts.auth.forms import NEW_PASSWORD_ERRORS, name_new_password_fields
from accounts.countries import POLAND, country_choices
from accounts.fields import max_length
from accounts.form_fields import AmountField
from accounts.models import Account
from accounts.widgets import LongSelect

if TYPE_CHECKING:
    from django.forms import BoundField
    from django_stubs_ext import StrOrPromise

# Poland's 16 voivodeships, as the official names are written (lower case, in Polish, in
# every interface language).
VOIVODESHIPS = (
    "dolnośląskie",
    "kujawsko-pomorskie",
    "lubelskie",
    "lubuskie",
    "łódzkie",
    "małopolskie",
    "mazowieckie",
    "opolskie",
    "podkarpackie",
    "podlaskie",
    "pomorskie",
    "śląskie",
    "świętokrzyskie",
    "warmińsko-mazurskie",
    "wielkopolskie",
    "zachodniopomorskie",
)


def _without_diacritics(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_VOIVODESHIP_BY_KEY = {_without_diacritics(name): name for name in VOIVODESHIPS}
_VOIVODESHIP_PREFIX = re.compile(r"^(woj\.?|wojewodztwo)\s+")


def voivodeship(value: str) -> str | None:
    """The official name of the voivodeship the customer typed ("Woj. Łódzkie", "lodzkie")."""
    key = _VOIVODESHIP_PREFIX.sub("", _without_diacritics(value.strip().lower()))
    return _VOIVODESHIP_BY_KEY.get(" ".join(key.split()))


def validate_no_control_characters(value: str, *, multiline: bool = False) -> None:
    allowed = {"\n", "\r", "\t"} if multiline else set()
    # NUL has Django's own validator and message (ProhibitNullCharactersValidator).
    allowed.add("\x00")
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in value):
        raise ValidationError(
            _("Remove the control characters (such as tabs or line breaks) from this field."),
            code="control_characters",
        )


def validate_no_control_characters_multiline(value: str) -> None:
    validate_no_control_characters(value, multiline=True)


def _max_length(name: str) -> int:
    return max_length(Account, name)


def _text(name: str, label: StrOrPromise, **kwargs: Any) -> forms.CharField:
    """An optional one-line text field as long as the Account field it edits."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=_max_length(name),
        validators=[validate_no_control_characters],
        **kwargs,
    )


class PhoneField(forms.CharField):
    def __init__(self, name: str, label: StrOrPromise, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            required=False,
            max_length=_max_length(name),
            validators=[validate_no_control_characters],
            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            **kwargs,
        )

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return validators.normalize_phone(value) if value else value


class GeneralForm(forms.Form):
    """ "Mój profil → Ogólne": the seed's four groups of contact data."""

    # Informacje osobiste
    company_name = _text(
        "company_name",
        _("Company name"),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    salutation = _text(
        "salutation",
        _("Salutation"),
        widget=forms.TextInput(attrs={"autocomplete": "honorific-prefix"}),
    )
    first_name = _text(
        "first_name", _("First name"), widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    middle_name = _text(
        "middle_name",
        _("Middle name"),
        widget=forms.TextInput(attrs={"autocomplete": "additional-name"}),
    )
    last_name = _text(
        "last_name", _("Last name"), widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    # Informacje adresowe
    county = _text("county", _("County"))
    province = _text(
        "province",
        _("Province"),
        widget=forms.TextInput(attrs={"list": "voivodeships", "autocomplete": "address-level1"}),
        help_text=_("In Poland: one of the 16 provinces, for example mazowieckie."),
    )
    postal_code = _text(
        "postal_code",
        _("Postal code"),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
        help_text=_("In Poland in the form 00-000."),
    )
    city = _text(
        "city", _("City"), widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=country_choices,
        widget=LongSelect(attrs={"autocomplete": "country"}),
    )
    # Informacje kontaktowe
    contact_person = _text("contact_person", _("Contact"))
    phone = PhoneField("phone", _("Phone"))
    fax = PhoneField("fax", _("Fax"))
    alt_phone = PhoneField("alt_phone", _("Alternative phone"))
    alt_contact = _text("alt_contact", _("Alternative contact"))
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        validators=[validate_no_control_characters],
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send password resets and notices about your account to this address."),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address in the form name@example.com."),
        },
    )
    # Inne informacje
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=_max_length("description"),
        validators=[validate_no_control_characters_multiline],
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    # The seed's groups, for the template: (legend, field names).
    groups = (
        (
            _("Personal information"),
            ("company_name", "salutation", "first_name", "middle_name", "last_name"),
        ),
        (_("Address information"), ("county", "province", "postal_code", "city", "country")),
        (
            _("Contact information"),
            ("contact_person", "phone", "fax", "alt_phone", "alt_contact", "email"),
        ),
        (_("Other information"), ("description",)),
    )

    @classmethod
    def initial_for(cls, account: Account) -> dict[str, Any]:
        initial = {name: getattr(account, name) for name in cls.base_fields if name != "email"}
        initial["email"] = account.user.email
        return initial

    def fieldsets(self) -> Iterator[tuple[StrOrPromise, list[BoundField]]]:
        for legend, names in self.groups:
            yield legend, [self[name] for name in names]

    def clean_email(self) -> str:
        return BaseUserManager.normalize_email(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("country") == POLAND:
            postal_code = cleaned.get("postal_code")
            if postal_code:
                digits = re.fullmatch(r"(\d{2})\s*-?\s*(\d{3})", postal_code)
                if digits:
                    cleaned["postal_code"] = f"{digits[1]}-{digits[2]}"
                else:
                    self.add_error(
                        "postal_code",
                        ValidationError(
                            _("Enter a Polish postal code in the form 00-000, such as 00-950."),
                            code="invalid_postal_code",
                        ),
                    )
            province = cleaned.get("province")
            if province:
                official = voivodeship(province)
                if official:
                    cleaned["province"] = official
                else:
                    self.add_error(
                        "province",
                        ValidationError(
                            _("Choose one of Poland's 16 provinces, such as mazowieckie."),
                            code="invalid_province",
                        ),
                    )
        elif cleaned.get("postal_code") and not re.fullmatch(
            r"[0-9A-Za-z][0-9A-Za-z -]*", cleaned["postal_code"]
        ):
            self.add_error(
                "postal_code",
                ValidationError(
                    _("A postal code may contain only letters, digits, spaces and hyphens."),
                    code="invalid_postal_code",
                ),
            )
        return cleaned


class SettingsForm(forms.Form):
    """ "Mój profil → Ustawienia": time zone, language and the low-balance alert."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zones.grouped_choices,
        widget=LongSelect,
        help_text=_("Every date and time in the portal and in our e-mails is shown in this zone."),
    )
    language = forms.ChoiceField(label=_("Web interface language"), choices=Account.Language)
    low_balance_threshold = AmountField(
        label=_("Low-balance alert threshold"), required=False, min_value=Decimal(0)
    )

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        time_zone = self.fields["time_zone"]
        assert isinstance(time_zone, forms.ChoiceField)
        time_zone.choices = time_zones.grouped_choices(str(account.country or ""))
        self.fields["low_balance_threshold"].help_text = _(
            "We send you one e-mail when your available funds (balance plus credit limit) fall "
            "below this amount in %(currency)s. Leave it empty for no alert."
        ) % {"currency": account.currency}

    @staticmethod
    def initial_for(account: Account) -> dict[str, Any]:
        return {
            "time_zone": account.time_zone,
            "language": account.language,
            "low_balance_threshold": account.low_balance_threshold,
        }


class ProfilePasswordChangeForm(PasswordChangeForm):
    """ "Mój profil → Zmień hasło": Django's own form with the seed's labels."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _(
            "The old password is wrong. Enter the password you use to sign in now."
        ),
        **NEW_PASSWORD_ERRORS,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Old password")
        name_new_password_fields(self)
