"""accounts.admin.result_rows writes every admin list's rows exactly as Django's own
items_for_result does: each registered list, over the demo account and awkward rows (empty
values, markup in text, unknown codes, missing relations), in Polish and in English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.core import mail
from django.test import RequestFactory
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import audit
from accounts.admin import result_rows
from accounts.demo import load_demo
from accounts.ledger.services import change_balance
from accounts.models import AuditEvent, User
from centrex.screening.models import ScreeningSettings
from centrex.voicemail.models import DeletedVoicemail, MailboxSettings
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(admin_user):
    demo, _created = load_demo()
    odd = factories.make_account("odd_<b>&", first_name="<i>Zoë</i>", company_name="A & B")
    factories.make_call(odd, description="<script>&amp;", caller="", callee=" ", charge=0)
    change_balance(odd, Decimal("-1234567.89"), "adjustment", "  ", actor=admin_user)
    audit.record("no.such.kind", actor="manage.py <x>", message="")
    audit.record("account.update", account=demo, actor=admin_user, message="<b>zmiana</b>")
    AuditEvent.objects.filter(account=odd).update(account=None)
    User.objects.filter(pk=odd.user.pk).update(last_login=None, email="")
    # The IP Centrex lists, the switch's tokens, the sign-in records and the mail queue.
    factories.make_rule(factories.enable_screening(odd), "48501%", name="<b>Noc</b>")
    ScreeningSettings.objects.create(account=odd, enabled=False)
    factories.make_message(factories.enable_voicemail(odd, "9001"), caller_name="", duration=0)
    MailboxSettings.objects.create(account=odd, notification_email="")
    DeletedVoicemail.objects.create(account=odd, msg_id="1-1", reason="deleted")
    factories.make_conference(demo, name="<Zespół & co>")
    factories.make_switch_token()
    TOTPDevice.objects.create(user=admin_user, name="telefon", confirmed=False)
    StaticDevice.objects.create(user=admin_user, name="kody")
    AccessAttempt.objects.create(username="x<y", ip_address="192.0.2.1", failures_since_start=3)
    AccessLog.objects.create(username="", ip_address="192.0.2.2", user_agent="<ua>")
    AccessFailureLog.objects.create(username="odd", ip_address="192.0.2.3", locked_out=True)
    mail.send_mail("Temat", "Treść", None, ["odd@example.com"])
    return admin_user


def changelists(user, query=""):
    factory = RequestFactory()
    for model, model_admin in admin.site._registry.items():
        request = factory.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/{query}")
        request.user = user
        changelist = model_admin.get_changelist_instance(request)
        changelist.formset = None  # as changelist_view sets it for a list without editing
        yield model, changelist


@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_lists_rows_are_djangos(rows, language):
    listed = 0
    with translation.override(language):
        for model, changelist in changelists(rows):
            djangos = [
                "".join(items_for_result(changelist, row, None)) for row in changelist.result_list
            ]
            written = [row[0] for row in result_rows.written_results(changelist)]
            assert written == djangos, model._meta.label
            listed += bool(djangos)
    assert listed >= 19  # every list but the greetings has rows


def test_a_lists_page_is_written_by_it(rows, admin_client):
    factories.verify_two_step(admin_client, rows)
    html = admin_client.get("/admin/accounts/callrecord/").content.decode()
    assert '<td class="field-caller">-</td>' in html  # the empty number
    assert ">odd_&lt;b&gt;&amp;</a></td>" in html  # the account's link, its ID escaped


def test_a_pop_up_is_left_to_django(rows):
    for _model, changelist in changelists(rows, "?_popup=1"):
        djangos = [
            "".join(items_for_result(changelist, row, None)) for row in changelist.result_list
        ]
        written = ["".join(row) for row in result_rows.written_results(changelist)]
        assert written == djangos
