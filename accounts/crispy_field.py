"""A form field as templates/bootstrap5/field.html writes it (crispy-bootstrap5's layout of
this project's forms: label above, then the widget, its errors and help), written in Python for
the fields most forms consist of: one text-like input or one select.

That template, already cut to a sixth of the pack's conditions, was still the largest piece
of a page with a form: the five filters of Spis połączeń cost more than its fifty rows. The
markup is what the template wrote, byte for byte (checked for every field of every project form
when this was written); tests/accounts/test_crispy_field.py compares every such field, empty and
with errors, with the pack's own template. Check boxes, radio buttons, files, multi-widgets and
hidden fields stay with the template.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.forms import BoundField
from django.template import Context
from django.utils.safestring import SafeString, mark_safe

from accounts.widgets import html

# What |as_crispy_field and |crispy give field.html beside the field. Any of these set (or
# labels or errors hidden) asks for a layout this project's forms do not use.
_LAYOUT = (
    "tag",
    "form_class",
    "label_class",
    "field_class",
    "wrapper_class",
    "help_text_inline",
    "error_text_inline",
)


def written_field(context: Context) -> str:
    """The field of field.html's context, written here: by the pack's own template for a layout
    with settings of its own, as Django writes it when hidden, in Python when plain (one input
    or select); "" for the rest (check boxes, choices, files, multi-widgets), which field.html
    writes itself."""
    if (
        any(context.get(name) for name in _LAYOUT)
        or not context.get("form_show_labels")
        or not context.get("form_show_errors")
    ):
        return _pack_field(context)
    field = context.get("field")
    if not isinstance(field, BoundField):
        return ""
    if field.is_hidden:
        return str(field)
    return plain_field(field) if is_plain(field) else ""


def _pack_field(context: Context) -> SafeString:
    """crispy-bootstrap5's own bootstrap5/field.html, which the project's template of that name
    stands in front of, rendered with the same context."""
    assert context.template is not None  # a tag renders inside a template
    pack_field, _origin = context.template.engine.find_template(
        "bootstrap5/field.html", skip=[context.template.origin]
    )
    return pack_field.render(context)


def is_plain(field: BoundField) -> bool:
    """Whether `plain_field` writes this field: one input or select, neither a check box, a
    file nor a set of choices."""
    return not isinstance(
        field.field.widget,
        forms.CheckboxInput | forms.RadioSelect | forms.FileInput | forms.MultiWidget,
    )


def _with_classes(field: BoundField, classes: str) -> str:
    """The pack's {% crispy_field field 'class' classes %}: the widget's class attribute gets
    the widget's own name (through CRISPY_CLASS_CONVERTERS) and `classes`, each once; then the
    field is rendered."""
    widget = field.field.widget
    wrapped = getattr(widget, "widget", None)  # behind a wrapper (the admin's related-field one)
    if isinstance(wrapped, forms.Widget):
        widget = wrapped
    name = type(widget).__name__.lower()
    name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(name, name)
    present = widget.attrs.get("class", "")
    if not present:
        present = name
    elif present.find(name) == -1:
        present += f" {name}"
    for added in classes.split():
        if added not in present.split():
            present += f" {added}"
    widget.attrs["class"] = present
    return str(field)


def plain_field(field: BoundField) -> SafeString:
    """field.html's markup for a plain field (is_plain), with the template's whitespace."""
    label = ""
    fieldset = field.use_fieldset
    if field.label:
        required = field.field.required
        classes = (
            "form-label" + (" requiredField" if required else "") + (" fs-6" if fieldset else "")
        )
        for_id = f' for="{html(field.id_for_label)}"' if field.id_for_label else ""
        star = '<span class="asteriskField">*</span>' if required else ""
        if fieldset:
            described = field.aria_describedby
            described_by = f' aria-describedby="{html(described)}"' if described else ""
            label = (
                f"<fieldset{described_by}><legend{for_id} "
                f'class="{classes}">{html(field.label)}{star}</legend>'
            )
        else:
            label = f'<label{for_id} class="{classes}">{html(field.label)}{star}</label>'
    errors = field.errors
    classes = "form-select" if isinstance(field.field.widget, forms.Select) else "form-control"
    widget = _with_classes(field, f"{classes} is-invalid" if errors else classes)
    css = field.css_classes()
    return mark_safe(  # noqa: S308  # every value is escaped, the widget is Django's own markup
        f'\n    \n    <div id="div_{html(field.auto_id)}" class="mb-3{f" {html(css)}" if css else ""}">'
        f"\n        {label}"
        f"\n        {widget}{_errors_and_help(field, errors)}\n"
        f"\n        {'</fieldset>' if fieldset and field.label else ''}"
        "\n    </div>\n    "
    )


def _errors_and_help(field: BoundField, errors: forms.utils.ErrorList) -> str:
    """templates/bootstrap5/_errors_and_help.html."""
    written = ""
    if errors:
        auto_id = html(field.auto_id)
        field_id = errors.field_id  # type: ignore[attr-defined]  # BoundField.errors sets it
        written = (
            f'<div id="{html(field_id)}_error" class="invalid-feedback">'
            + "".join(
                f'<p id="error_{number}_{auto_id}"><strong>{html(error)}</strong></p>'
                for number, error in enumerate(errors, 1)
            )
            + "</div>"
        )
    if field.help_text:
        helped = f'id="{html(field.auto_id)}_helptext" ' if field.auto_id else ""
        written += f'<div {helped}class="form-text">{field.help_text}</div>'
    return written
