from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from conferences.models import AccessCode, Conference
from tests.factories import make_conference

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/conferences/conference/"


def test_staff_see_every_accounts_conferences(staff_client, alice, bob):
    make_conference(alice, name="Narada Alicji")
    make_conference(bob, name="Narada Boba")
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Narada Alicji" in html and "Narada Boba" in html


def test_staff_find_a_conference_by_account(staff_client, alice, bob):
    make_conference(alice, name="Narada Alicji")
    make_conference(bob, name="Narada Boba")
    html = staff_client.get(CHANGELIST, {"q": bob.account_id}).content.decode()
    assert "Narada Boba" in html and "Narada Alicji" not in html


def test_staff_open_a_conference_with_its_codes(staff_client, alice):
    conference = make_conference(alice, invitees=("jan@example.com",))
    response = staff_client.get(f"{CHANGELIST}{conference.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert conference.codes()["host"] in html
    assert "jan@example.com" in html


# A superuser, who holds every permission: only the admin's own refusal can give the 403.
def test_staff_cannot_add_conferences_behind_the_customers_rules(admin_client):
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403


def test_staff_end_conferences_and_it_is_audited(staff_client, alice):
    running = make_conference(alice, starts_at=timezone.now() - timedelta(minutes=5))
    response = staff_client.post(
        CHANGELIST, {"action": "end_now", "_selected_action": [running.pk]}, follow=True
    )
    assert response.status_code == 200
    running.refresh_from_db()
    assert running.is_over()
    assert not AccessCode.objects.filter(conference=running).exists()
    event = AuditEvent.objects.get(kind="conference.ended")
    assert event.account == alice
    assert event.actor_label == "helpdesk" and event.actor_kind == "staff"


def test_staff_delete_a_conference_the_invitees_are_told_and_it_is_audited(
    staff_client, alice, django_capture_on_commit_callbacks, mailoutbox
):
    conference = make_conference(alice, invitees=("jan@example.com",))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"{CHANGELIST}{conference.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Conference.objects.filter(pk=conference.pk).exists()
    assert [m.to for m in mailoutbox] == [["jan@example.com"]]
    event = AuditEvent.objects.get(kind="conference.deleted")
    assert event.actor_label == "helpdesk" and event.account == alice


def test_staff_delete_several_conferences_at_once(staff_client, alice, bob):
    first, second = make_conference(alice), make_conference(bob)
    staff_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert not Conference.objects.exists()
    assert AuditEvent.objects.filter(kind="conference.deleted").count() == 2


def test_customers_cannot_reach_the_admin(alice_client):
    response = alice_client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
