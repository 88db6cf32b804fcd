"""manage.py switch_token create / list / revoke, and switch tokens in the admin."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent
from accounts.switch_api.models import SwitchToken
from accounts.switch_api.tokens import check_token
from tests.factories import make_switch_token

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("switch_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_once_as_the_last_line():
    out, err = run("create", "kamailio-1")
    plaintext = out.strip().splitlines()[-1]
    assert plaintext.startswith("ksw_") and len(plaintext) > 40
    assert "shown once" in err
    token = SwitchToken.objects.get(name="kamailio-1")
    assert token.is_active and token.last_used_at is None
    assert check_token(plaintext) is not None


def test_only_the_hash_of_the_token_is_stored():
    out, _err = run("create", "kamailio-1")
    plaintext = out.strip().splitlines()[-1]
    token = SwitchToken.objects.get(name="kamailio-1")
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in str(SwitchToken.objects.values().get())


def test_create_is_audited_without_the_token():
    out, _err = run("create", "kamailio-1")
    event = AuditEvent.objects.get(kind="switch_token.created")
    assert event.actor_label == "manage.py switch_token"
    assert out.strip() not in str(event.data) + event.message


def test_a_taken_name_is_refused():
    run("create", "kamailio-1")
    with pytest.raises(CommandError, match="exists already"):
        run("create", "kamailio-1")
    assert SwitchToken.objects.count() == 1


def test_an_empty_name_is_refused():
    with pytest.raises(CommandError, match="name"):
        run("create", "  ")


def test_list_shows_each_token_without_it():
    _token, plaintext = make_switch_token("kamailio-1")
    make_switch_token("kamailio-2")
    run("revoke", "kamailio-2")
    out, _err = run("list")
    lines = out.strip().splitlines()
    assert lines[0].startswith("kamailio-1") and lines[0].endswith("active")
    assert "last used never" in lines[0]
    assert lines[1].startswith("kamailio-2") and "revoked" in lines[1]
    assert plaintext not in out


def test_list_without_tokens_says_so():
    assert run("list")[0].strip() == "No switch tokens."


def test_revoke_refuses_the_token_from_now_on():
    _token, plaintext = make_switch_token("kamailio-1")
    assert check_token(plaintext) is not None
    out, _err = run("revoke", "kamailio-1")
    assert "revoked" in out
    assert check_token(plaintext) is None
    assert AuditEvent.objects.filter(kind="switch_token.revoked").count() == 1
    # Again: nothing changes, nothing is audited.
    assert "already" in run("revoke", "kamailio-1")[0]
    assert AuditEvent.objects.filter(kind="switch_token.revoked").count() == 1


def test_revoke_of_an_unknown_name_fails():
    with pytest.raises(CommandError, match="No switch token"):
        run("revoke", "nope")


# The admin


def test_the_admin_lists_tokens_without_them(admin_client):
    token, plaintext = make_switch_token("kamailio-1")
    response = admin_client.get("/admin/accounts/switchtoken/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "kamailio-1" in html
    assert plaintext not in html and token.token_hash not in html


def test_the_admin_change_page_shows_no_token_or_hash(admin_client):
    token, plaintext = make_switch_token("kamailio-1")
    response = admin_client.get(f"/admin/accounts/switchtoken/{token.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert plaintext not in html and token.token_hash not in html


def test_the_admin_cannot_add_or_delete_tokens(admin_client):
    token, _plaintext = make_switch_token("kamailio-1")
    assert admin_client.get("/admin/accounts/switchtoken/add/").status_code == 403
    assert admin_client.get(f"/admin/accounts/switchtoken/{token.pk}/delete/").status_code == 403


def test_the_admin_action_revokes_and_audits(admin_client, admin_user):
    token, plaintext = make_switch_token("kamailio-1")
    response = admin_client.post(
        "/admin/accounts/switchtoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert not token.is_active
    assert check_token(plaintext) is None
    event = AuditEvent.objects.get(kind="switch_token.revoked")
    assert event.actor == admin_user
