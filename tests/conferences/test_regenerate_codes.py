from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from conferences import access_codes
from tests.factories import make_conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference(alice):
    return make_conference(alice, starts_at=timezone.now(), invitees=("jan@example.com",))


def url(conference) -> str:
    return f"/centrex/conferences/{conference.pk}/codes/"


def test_it_sends_anonymous_visitors_to_the_login_page(client, conference):
    response = client.post(url(conference))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_generate_makes_new_codes_and_the_old_ones_stop_working(
    alice_client, conference, send_mail, mailoutbox
):
    old = conference.codes()
    assert access_codes.find_access_code(old["guest"]) is not None
    with send_mail():
        response = alice_client.post(url(conference), follow=True)
    assert response.status_code == 200
    assert "Stare kody już nie działają" in response.content.decode()
    new = conference.codes()
    assert new["host"] != old["host"] and new["guest"] != old["guest"]
    assert access_codes.find_access_code(old["guest"]) is None
    assert access_codes.find_access_code(old["host"]) is None
    assert access_codes.find_access_code(new["guest"]).role == "guest"
    assert access_codes.find_access_code(new["host"]).role == "host"
    # The invitee learns the new guest code, never the host code.
    [message] = mailoutbox
    assert new["guest"] in message.body
    assert new["host"] not in message.body
    assert new["host"] not in message.attachments[0][1]
    assert AuditEvent.objects.filter(kind="conference.codes_regenerated").exists()


def test_an_ended_conference_gets_no_new_codes(alice_client, alice):
    past = make_conference(alice, starts_at=timezone.now() - timedelta(days=1))
    access_codes.release_codes_of_ended()
    response = alice_client.post(url(past), follow=True)
    assert "nie można jej już zmienić" in response.content.decode()
    assert past.codes() == {}


def test_a_conference_of_another_account_is_not_found(client, bob, conference):
    old = conference.codes()
    client.force_login(bob.user)
    assert client.post(url(conference)).status_code == 404
    assert conference.codes() == old


def test_it_refuses_get(alice_client, conference):
    assert alice_client.get(url(conference)).status_code == 405
