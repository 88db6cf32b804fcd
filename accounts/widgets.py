"""Form widgets shared by the customer pages and the admin."""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe


def _html(text: Any) -> str:
    """As Django's conditional_escape(): safe strings as they are, the rest escaped (its escape()
    is this one, behind a check for lazy strings that costs more than the escaping)."""
    return text.__html__() if hasattr(text, "__html__") else escape(str(text))


class LongSelect(forms.Select):
    """A <select> for long lists (the 419 time zones, the 250 countries), written in Python.

    Django's Select renders every option through a template of its own, about 60 µs each: the
    time-zone list alone cost 25 ms of every "Ustawienia" page and over half of the admin's
    account page. This writes the same markup as Django's templates (same attributes, same
    escaping, optgroups included, the same option selected) straight from the choices, with
    no dict per option: a list of 250 countries in about a tenth of a millisecond.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # What Select.get_context() and optgroups() decide, without their dict per option.
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        chosen = set(self.format_value(value))
        parts = [f'<select name="{escape(name)}"{flatatt(final_attrs)}>']
        has_selected = False
        for option_value, option_label in self.choices:
            if isinstance(option_label, list | tuple):
                group_name, options = option_value, option_label
            else:
                group_name, options = None, [(option_value, option_label)]
            if group_name:
                parts.append(f'<optgroup label="{_html(group_name)}">')
            for code, label in options:
                code = "" if code is None else str(code)
                selected = (not has_selected or self.allow_multiple_selected) and code in chosen
                has_selected |= selected
                parts.append(
                    f'<option value="{escape(code)}"{" selected" if selected else ""}>'
                    f"{_html(label)}</option>"
                )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every piece of outside text is escaped
