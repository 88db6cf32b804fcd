"""Form widgets shared by the customer pages and the admin, and the renderer that writes them
(settings.FORM_RENDERER)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from html import escape
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.choices import BaseChoiceIterator, CallableChoiceIterator, normalize_choices
from django.utils.safestring import SafeString, mark_safe

Choice = tuple[Any, Any]


def html(text: Any) -> str:
    """As Django's conditional_escape(): safe strings as they are, the rest escaped (its escape()
    is this one, behind a check for lazy strings that costs more than the escaping)."""
    return text.__html__() if hasattr(text, "__html__") else escape(str(text))


def _attributes(attrs: dict[str, Any]) -> str:
    # As django/forms/widgets/attrs.html writes them: in their order, False left out, True as a
    # bare name (Django's flatatt() would sort them).
    return "".join(
        f" {html(name)}" if value is True else f' {html(name)}="{html(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


# Django's widget templates that are nothing but {% include "django/forms/widgets/input.html" %}
# (tests/accounts/test_widgets.py reads them to hold this to it).
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)


class FormRenderer(DjangoTemplates):
    """Django's form renderer, writing the <input> and <select> widgets in Python.

    Each input went through three of Django's templates (its own, input.html, attrs.html),
    about 0.2 ms: the seventeen fields of "Mój profil" or the forty of the admin's account page
    paid it for every field. This writes what input.html writes (the same attributes in the
    same order, escaped the same way), and select.html, textarea.html and label.html what they
    write; every other template (radio buttons, error lists, the admin's own widgets) is
    rendered by Django as before.
    """

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name in INPUT_TEMPLATES:
            return input_html(context["widget"])
        if template_name == SELECT_TEMPLATE and _plain_options(context["widget"]):
            return select_html(context["widget"])
        if template_name == TEXTAREA_TEMPLATE:
            return textarea_html(context["widget"])
        if template_name == LABEL_TEMPLATE:
            return label_html(context)
        return super().render(template_name, context, request)


SELECT_TEMPLATE = "django/forms/widgets/select.html"
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
# BoundField.label_tag() and legend_tag(): the admin writes one for each of its forty fields.
LABEL_TEMPLATE = "django/forms/label.html"
SELECT_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _plain_options(widget: dict[str, Any]) -> bool:
    return all(
        option["template_name"] == SELECT_OPTION_TEMPLATE
        for _group, options, _index in widget["optgroups"]
        for option in options
    )


def select_html(widget: dict[str, Any]) -> str:
    """django/forms/widgets/select.html with its select_option.html, as they write it (line
    breaks and indentation included), for a Select's context: two small selects through the
    templates were a tenth of Spis połączeń."""
    parts = [f'<select name="{html(widget["name"])}"{_attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{html(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{html(option["value"])}"{_attributes(option["attrs"])}>'
                f"{html(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def textarea_html(widget: dict[str, Any]) -> str:
    """django/forms/widgets/textarea.html for a widget's context (its line break included)."""
    value = widget["value"]
    return (
        f'<textarea name="{html(widget["name"])}"{_attributes(widget["attrs"])}>\n'
        f"{html(value) if value else ''}</textarea>"
    )


def label_html(context: dict[str, Any]) -> str:
    """django/forms/label.html for a BoundField's label context: the label in its <label> (or
    <legend>) when the field has an id, else the label alone."""
    label = html(context["label"])
    if not context["use_tag"]:
        return label
    tag = html(context["tag"])
    return f"<{tag}{_attributes(context['attrs'] or {})}>{label}</{tag}>"


def input_html(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html for a widget's context."""
    value = widget["value"]
    written = "" if value is None else f' value="{html(value)}"'
    return (
        f'<input type="{html(widget["type"])}" name="{html(widget["name"])}"{written}'
        f"{_attributes(widget['attrs'])}>"
    )


def _pieces(choices: Iterable[Choice]) -> Iterator[tuple[str | None, str]]:
    """The markup of a <select>'s options as Django's templates write them, piece by piece:
    (the option's value, "<option …>") for an option, (None, its tag) for an <optgroup>'s."""
    for option_value, option_label in choices:
        if isinstance(option_label, list | tuple):
            group_name, options = option_value, option_label
        else:
            group_name, options = None, [(option_value, option_label)]
        if group_name:
            yield None, f'<optgroup label="{html(group_name)}">'
        for code, label in options:
            code = "" if code is None else str(code)
            yield code, f'<option value="{escape(code)}">{html(label)}</option>'
        if group_name:
            yield None, "</optgroup>"


def _selected(option: str) -> str:
    # The value is escaped, so its closing quote is the first `">` of the option.
    return option.replace('">', '" selected>', 1)


class PreparedChoices(BaseChoiceIterator):
    """A long list of choices made once (per language) and offered on many pages: the time
    zones, the countries.

    Django takes a BaseChoiceIterator as it is, where it copies a plain list of 419 zones into
    new lists for every form (normalize_choices: a sixth of "Ustawienia"). And LongSelect writes
    the options of such a list once, not on every page: a page joins them and marks its own.
    """

    def __init__(self, choices: Iterable[Choice]) -> None:
        self.choices: list[Choice] = [
            (value, list(label) if isinstance(label, list | tuple) else label)
            for value, label in choices
        ]

    def __iter__(self) -> Iterator[Choice]:
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def __deepcopy__(self, memo: dict[int, Any]) -> PreparedChoices:
        # Never changed once made: each form's copy of its fields may share it.
        return self

    def options_html(self, chosen: Sequence[str]) -> str:
        """The options with the first of `chosen` selected (a single select's choice)."""
        pieces, first_of = self._written
        found = [first_of[value] for value in chosen if value in first_of]
        if not found:
            return "".join(pieces)
        pieces = pieces.copy()
        pieces[min(found)] = _selected(pieces[min(found)])
        return "".join(pieces)

    @cached_property
    def _written(self) -> tuple[list[str], dict[str, int]]:
        pieces: list[str] = []
        first_of: dict[str, int] = {}
        for value, piece in _pieces(self.choices):
            if value is not None:
                first_of.setdefault(value, len(pieces))
            pieces.append(piece)
        return pieces, first_of


class LongSelect(forms.Select):
    """A <select> for long lists (the 419 time zones, the 250 countries), written in Python.

    Django's Select renders every option through a template of its own, about 60 µs each: the
    time-zone list alone cost 25 ms of every "Ustawienia" page and over half of the admin's
    account page. This writes the same markup as Django's templates (same attributes, same
    escaping, optgroups included, the same option selected) straight from the choices, with
    no dict per option: a list of 250 countries in about a tenth of a millisecond, and
    PreparedChoices' options without writing them again.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # What Select.get_context() and optgroups() decide, without their dict per option.
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        chosen = self.format_value(value)
        choices = self.choices
        if isinstance(choices, CallableChoiceIterator):
            # A field's choices=a_function, called once, as iterating them would.
            choices = normalize_choices(choices.func())
        if isinstance(choices, PreparedChoices) and not self.allow_multiple_selected:
            options = choices.options_html(chosen)
        else:
            options = self._options_html(choices, set(chosen))
        opening = f'<select name="{escape(name)}"{_attributes(final_attrs)}>'
        # Every piece of outside text is escaped (_pieces, _attributes).
        return mark_safe(f"{opening}{options}</select>")  # noqa: S308

    def _options_html(self, choices: Iterable[Choice], chosen: set[str]) -> str:
        parts = []
        has_selected = False
        for code, piece in _pieces(choices):
            if (
                code is not None
                and code in chosen
                and (not has_selected or self.allow_multiple_selected)
            ):
                has_selected = True
                piece = _selected(piece)
            parts.append(piece)
        return "".join(parts)
