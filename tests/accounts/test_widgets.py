"""LongSelect writes what Django's own Select writes, only faster."""

from __future__ import annotations

import re

import pytest
from django import forms

from accounts.countries import country_choices
from accounts.widgets import LongSelect

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
    assert '<select name="country" id="id_country" required>' in html
    assert '<option value="PL" selected>Polska</option>' in html


def test_country_names_follow_the_language():
    from django.utils import translation

    with translation.override("en"):
        english = dict(country_choices())
    with translation.override("pl"):
        polish = dict(country_choices())
    assert (english["DE"], polish["DE"]) == ("Germany", "Niemcy")
    assert country_choices()[1] == ("PL", "Polska")  # Poland first
