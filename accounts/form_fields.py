"""Form fields for values that have one rule everywhere (accounts.validators)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from accounts import validators


class AmountField(forms.CharField):
    """An amount as people type it ("1 234,50", "1234.50", "-12,5"), read by
    validators.parse_amount like every import and command; shown in the interface's format.
    """

    def __init__(self, *, min_value: Decimal | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)
        self.min_value = min_value

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return formats.localize_input(value)
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        return validators.parse_amount(text) if text else None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and self.min_value is not None and value < self.min_value:
            raise ValidationError(
                _("Enter an amount of %(min)s or more."),
                code="min_value",
                params={"min": formats.localize(self.min_value)},
            )
