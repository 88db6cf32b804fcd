"""templates/bootstrap5/field.html writes what crispy-bootstrap5's own field.html writes.

The project's template stands in front of the pack's for the forms this project has (labels
above, no FormHelper); every field of those forms, empty and with errors, and a form of every
other kind of field, must come out as the pack writes it, in the HTML sense (attribute order
and whitespace aside).
"""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.template import Context, engines
from django.test.html import parse_html
from django.utils import translation

from accounts.auth.forms import LoginForm, LoginOrEmailPasswordResetForm, SignInCodeForm
from accounts.calls.forms import CallFilterForm
from centrex.screening import forms as screening_forms
from centrex.voicemail.forms import PinForm
from conferences.forms import NewConferenceForm
from profile.forms import GeneralForm, ProfilePasswordChangeForm, SettingsForm
from profile.security.forms import FirstCodeForm, PasswordAgainForm

pytestmark = pytest.mark.django_db

FIELD = "bootstrap5/field.html"


def _templates() -> tuple[Any, Any]:
    engine = engines["django"].engine  # type: ignore[attr-defined]
    ours, origin = engine.find_template(FIELD)
    pack, pack_origin = engine.find_template(FIELD, skip=[origin])
    assert "crispy_bootstrap5" in pack_origin.name and "crispy_bootstrap5" not in origin.name
    return ours, pack


class EveryKind(forms.Form):
    error_css_class = "has-error"
    required_css_class = "is-required"

    text = forms.CharField(help_text="Help <b>bold</b>", max_length=5)
    optional = forms.CharField(required=False, label="")
    agree = forms.BooleanField(help_text="Tick it")
    maybe = forms.BooleanField(required=False)
    pick = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    upload = forms.FileField(required=False, help_text="A file")
    note = forms.CharField(widget=forms.Textarea, required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    # One widget written in a <fieldset> (accounts.crispy_field) and one of several widgets
    # (the template's own branch).
    born = forms.DateField(widget=forms.SelectDateWidget, help_text="Your birthday")
    meeting = forms.SplitDateTimeField(required=False)
    many_picks = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")])


def _forms(alice) -> list[forms.BaseForm]:
    made: list[forms.BaseForm] = []
    for data in (None, {"text": "too long", "pick": "zz", "day": "x"}):
        made += [
            EveryKind(data=data),
            GeneralForm(data=data),
            SettingsForm(data=data, account=alice),
            ProfilePasswordChangeForm(alice.user, data=data),
            CallFilterForm(data=data or {"date_from": "zz"}),
            LoginForm(data=data),
            LoginOrEmailPasswordResetForm(data=data),
            SignInCodeForm(data=data),
            FirstCodeForm(data=data),
            PasswordAgainForm(data=data, user=alice.user),
            PinForm(data=data, account=alice),
            NewConferenceForm(data=data, account=alice),
            screening_forms.RuleForm(data=data, account=alice),
            screening_forms.TesterForm(data=data, account=alice),
        ]
    return made


@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_field_is_written_as_the_pack_writes_it(alice, language):
    ours, pack = _templates()
    compared = 0
    with translation.override(language):
        for form in _forms(alice):
            if form.is_bound:
                form.is_valid()
            for field in form:
                # What |as_crispy_field gives the template.
                context = {
                    "field": field,
                    "form_show_errors": True,
                    "form_show_labels": True,
                    "label_class": "",
                    "field_class": "",
                }
                written, expected = ours.render(Context(context)), pack.render(Context(context))
                assert parse_html(written) == parse_html(expected), (type(form), field.name)
                compared += 1
    assert compared > 100


def test_a_layout_the_project_does_not_use_gets_the_packs_own_template(alice):
    ours, pack = _templates()
    field = EveryKind()["text"]
    for extra in (
        {"form_class": "form-horizontal", "label_class": "col-2", "field_class": "col-10"},
        {"form_show_labels": False},
        {"wrapper_class": "w-50"},
        {"help_text_inline": True},
    ):
        context = {"field": field, "form_show_errors": True, "form_show_labels": True, **extra}
        assert parse_html(ours.render(Context(context))) == parse_html(
            pack.render(Context(context))
        ), extra
