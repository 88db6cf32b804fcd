"""LongSelect writes what Django's own Select writes, only faster."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from accounts import time_zones
from accounts.countries import country_choices
from accounts.widgets import INPUT_TEMPLATES, FormRenderer, LongSelect, PreparedChoices

GROUPED = [
    ("", "—"),
    ("Europa", [("Europe/Warsaw", "Warszawa"), ("Europe/Paris", 'Paryż & "okolice"')]),
    ("<Inne>", [("UTC", "UTC")]),
]


def _tags(html: str) -> str:
    # Django's templates put line breaks and indentation between the tags; nothing else differs.
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", ["Europe/Paris", "", None, "Nowhere"])
@pytest.mark.parametrize("attrs", [None, {"autocomplete": "country", "class": "form-select"}])
def test_it_writes_the_same_markup_as_djangos_select(value, attrs):
    ours = LongSelect(choices=GROUPED).render("time_zone", value, attrs=attrs)
    djangos = forms.Select(choices=GROUPED).render("time_zone", value, attrs=attrs)
    assert _tags(ours) == _tags(djangos)
    assert "Paryż &amp; &quot;okolice&quot;" in ours and 'label="&lt;Inne&gt;"' in ours


def test_in_a_form_field_it_keeps_the_required_mark_and_the_selection():
    class Form(forms.Form):
        country = forms.ChoiceField(choices=country_choices, widget=LongSelect)

    html = str(Form(initial={"country": "PL"})["country"])
    assert '<select name="country" required id="id_country">' in html
    assert '<option value="PL" selected>Polska</option>' in html


def test_country_names_follow_the_language():
    from django.utils import translation

    with translation.override("en"):
        english = dict(country_choices())
    with translation.override("pl"):
        polish = dict(country_choices())
    assert (english["DE"], polish["DE"]) == ("Germany", "Niemcy")
    assert country_choices()[1] == ("PL", "Polska")  # Poland first


PREPARED_VALUES = ["Europe/Paris", "", None, "Nowhere", "UTC"]


@pytest.mark.parametrize("value", PREPARED_VALUES)
def test_prepared_choices_write_the_same_markup_as_djangos_select(value):
    # "UTC" twice: Django selects only the first option of a value, so must this.
    choices = [*GROUPED, ("UTC", "UTC again")]
    attrs = {"class": "form-select", "autocomplete": "off"}
    prepared = PreparedChoices(choices)
    ours = LongSelect(choices=prepared).render("time_zone", value, attrs=attrs)
    djangos = forms.Select(choices=choices).render("time_zone", value, attrs=attrs)
    assert _tags(ours) == _tags(djangos)
    # The same list again for another value: the written options are not changed by a page.
    again = LongSelect(choices=prepared).render("time_zone", "Europe/Warsaw", attrs=attrs)
    assert again.count(" selected") == 1 and '"Europe/Warsaw" selected' in again


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("country", ["PL", "us", ""])
def test_the_time_zone_picker_is_the_list_django_would_write(language, country):
    from django.utils import translation

    with translation.override(language):
        choices = time_zones.grouped_choices(country)
        plain = [(str(label), list(zones)) for label, zones in choices]
        ours = LongSelect(choices=choices).render("time_zone", "America/Chicago")
        djangos = forms.Select(choices=plain).render("time_zone", "America/Chicago")
    assert _tags(ours) == _tags(djangos)
    assert ours.count(" selected") == 1
    common = "Najczęściej wybierane strefy" if language == "pl" else "Common time zones"
    assert f'<optgroup label="{common}">' in ours


def test_a_form_shares_the_prepared_list_and_django_takes_it_as_it_is():
    import copy

    class Form(forms.Form):
        country = forms.ChoiceField(choices=country_choices, widget=LongSelect)
        time_zone = forms.ChoiceField(choices=time_zones.grouped_choices, widget=LongSelect)

    form = Form(data={"country": "DE", "time_zone": "Europe/Kyiv"})
    field = form.fields["time_zone"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = time_zones.grouped_choices("PL")
    assert field.choices is time_zones.grouped_choices("PL")  # not copied into new lists
    assert copy.deepcopy(field).choices is field.choices
    assert form.is_valid(), form.errors
    assert not Form(data={"country": "XX", "time_zone": "Mars/Base"}).is_valid()
    assert '<option value="DE" selected>Niemcy</option>' in str(form["country"])


def test_attributes_keep_their_order_as_in_djangos_select():
    attrs = {"required": True, "id": "id_x", "class": "a&b", "disabled": False, "data-x": 0}
    ours = LongSelect(choices=GROUPED).render("x", "", attrs=attrs)
    djangos = forms.Select(choices=GROUPED).render("x", "", attrs=attrs)
    assert _tags(ours) == _tags(djangos)
    assert ours.startswith('<select name="x" required id="id_x" class="a&amp;b" data-x="0">')


# --- The form renderer (settings.FORM_RENDERER) ---------------------------------------------------

INPUT_SOURCE = (
    '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %} '
    "value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
    '{% include "django/forms/widgets/attrs.html" %}>\n'
)
ATTRS_SOURCE = (
    "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
    "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}"
    "{% endfor %}"
)


def test_the_templates_it_stands_for_are_djangos_input_as_it_writes_it():
    # If Django (or an app) changes these templates, the renderer must follow: this fails.
    engine = DjangoTemplates().engine
    for name in INPUT_TEMPLATES:
        source = engine.get_template(name).template.source
        assert source.strip() == '{% include "django/forms/widgets/input.html" %}', name
    assert engine.get_template("django/forms/widgets/input.html").template.source == INPUT_SOURCE
    assert engine.get_template("django/forms/widgets/attrs.html").template.source == ATTRS_SOURCE


def test_django_renders_forms_with_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)


WIDGETS = [
    (forms.TextInput(), "a \"<b>\" & 'c'"),
    (forms.TextInput(attrs={"placeholder": "<x>", "required": True, "disabled": False}), ""),
    (forms.TextInput(), None),
    (forms.TextInput(), mark_safe("<safe>")),
    (forms.TextInput(attrs={"maxlength": 0, "data-x": mark_safe("&amp;")}), 12),
    (forms.EmailInput(attrs={"autocomplete": "email"}), "ala@example.com"),
    (forms.PasswordInput(), "secret"),
    (forms.PasswordInput(render_value=True), "secret"),
    (forms.HiddenInput(), "ż"),
    (forms.NumberInput(attrs={"step": "0.01"}), Decimal("1234.5")),
    (forms.DateInput(), date(2026, 12, 3)),
    (forms.DateTimeInput(), datetime(2026, 12, 3, 18, 5)),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.URLInput(), "https://example.com/?a=1&b=2"),
    (forms.FileInput(), None),
    (forms.Textarea(), "two\nlines, <b>\"quoted\"</b> & 'more'"),
    (forms.Textarea(attrs={"rows": 3, "maxlength": 500, "required": True}), ""),
    (forms.Textarea(), None),
    (forms.Textarea(), 0),
    (forms.Textarea(), mark_safe("<safe>")),
]


SELECT_SOURCE = (
    '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
    "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
    '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
    "  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}\n"
    "  </optgroup>{% endif %}{% endfor %}\n"
    "</select>\n"
)
SELECT_OPTION_SOURCE = (
    "<option value=\"{{ widget.value|stringformat:'s' }}\""
    '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>\n'
)


TEXTAREA_SOURCE = (
    '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>\n'
    "{% if widget.value %}{{ widget.value }}{% endif %}</textarea>\n"
)


def test_the_select_and_textarea_it_writes_are_djangos_templates_as_they_stand():
    engine = DjangoTemplates().engine
    assert engine.get_template("django/forms/widgets/select.html").template.source == SELECT_SOURCE
    option = engine.get_template("django/forms/widgets/select_option.html").template.source
    assert option == SELECT_OPTION_SOURCE
    textarea = engine.get_template("django/forms/widgets/textarea.html").template.source
    assert textarea == TEXTAREA_SOURCE


SELECTS = [
    (forms.Select(choices=[("a", "A"), ("b", 'B "<&>"')]), "b"),
    (forms.Select(choices=GROUPED, attrs={"class": "form-select", "required": True}), "UTC"),
    (forms.Select(choices=[("", "—"), (1, mark_safe("<i>one</i>")), (2, "two")]), 1),
    (forms.Select(choices=[]), None),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]), ["a", "c"]),
    (forms.NullBooleanSelect(), True),
]


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize(("widget", "value"), [*WIDGETS, *SELECTS])
def test_inputs_and_selects_are_written_as_djangos_templates_write_them(widget, value, language):
    from django.utils import translation

    with translation.override(language):
        ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=FormRenderer())
        djangos = widget.render(
            "field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates()
        )
    assert ours == djangos


def test_a_select_with_options_of_its_own_template_is_left_to_django():
    class Fancy(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    widget = Fancy(choices=[("a", "A")])
    ours = widget.render("field", "a", renderer=FormRenderer())
    assert ours == widget.render("field", "a", renderer=DjangoTemplates())


LABEL_SOURCE = (
    "{% if use_tag %}<{{ tag }}{% include 'django/forms/attrs.html' %}>{{ label }}</{{ tag }}>"
    "{% else %}{{ label }}{% endif %}\n"
)
LABEL_ATTRS_SOURCE = (
    "{% for name, value in attrs.items %}{% if value is not False %} {{ name }}"
    "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}"
)


def test_the_label_it_writes_is_djangos_template_as_it_stands():
    engine = DjangoTemplates().engine
    assert engine.get_template("django/forms/label.html").template.source == LABEL_SOURCE
    assert engine.get_template("django/forms/attrs.html").template.source == LABEL_ATTRS_SOURCE


class _LabelledForm(forms.Form):
    name = forms.CharField(label='Name & "nick" <b>')
    required_code = forms.CharField(label=mark_safe("Code <abbr>PIN</abbr>"))
    agree = forms.BooleanField(required=False, label="Agree")
    choice = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect, label="Pick")


@pytest.mark.parametrize("auto_id", ["id_%s", False])
@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"contents": mark_safe("<strong>Safe</strong>")},
        {"contents": "<unsafe>"},
        {"attrs": {"class": "required", "data-x": '"q"', "hidden": True, "off": False}},
        {"label_suffix": " →"},
        {"tag": "span"},
    ],
)
def test_labels_are_written_as_djangos_template_writes_them(auto_id, arguments):
    ours = _LabelledForm(auto_id=auto_id, renderer=FormRenderer())
    djangos = _LabelledForm(auto_id=auto_id, renderer=DjangoTemplates())
    for name in ours.fields:
        assert ours[name].label_tag(**arguments) == djangos[name].label_tag(**arguments)
        assert ours[name].legend_tag() == djangos[name].legend_tag()
