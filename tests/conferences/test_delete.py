from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from conferences.models import AccessCode, Conference
from tests.factories import make_conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference(alice):
    return make_conference(alice, name="Rada", invitees=("jan@example.com", "ewa@example.com"))


def url(conference) -> str:
    return f"/centrex/conferences/{conference.pk}/delete/"


def test_it_sends_anonymous_visitors_to_the_login_page(client, conference):
    response = client.post(url(conference))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert Conference.objects.filter(pk=conference.pk).exists()


def test_it_asks_for_confirmation_first(alice_client, conference):
    response = alice_client.get(url(conference))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Czy na pewno chcesz usunąć tę konferencję?" in html
    assert "2 zaproszone osoby dostaną e-mailem odwołanie" in html
    assert Conference.objects.filter(pk=conference.pk).exists()


def test_the_confirmation_of_an_ended_conference_promises_no_cancellation(alice_client, alice):
    past = make_conference(
        alice, starts_at=timezone.now() - timedelta(days=1), invitees=("jan@example.com",)
    )
    html = alice_client.get(url(past)).content.decode()
    assert "Czy na pewno chcesz usunąć tę konferencję?" in html
    assert "odwołanie" not in html


def test_deleting_sends_every_invitee_a_cancellation(
    alice_client, conference, send_mail, mailoutbox
):
    uid = conference.ical_uid
    with send_mail():
        response = alice_client.post(url(conference))
    assert response.status_code == 302
    assert response["Location"] == "/centrex/conferences/"
    assert not Conference.objects.filter(pk=conference.pk).exists()
    assert not AccessCode.objects.exists()
    assert sorted(m.to[0] for m in mailoutbox) == ["ewa@example.com", "jan@example.com"]
    for message in mailoutbox:
        assert message.subject.startswith("Odwołana: Rada")
        _name, content, mimetype = message.attachments[0]
        assert mimetype == "text/calendar; method=CANCEL"
        cal = icalendar.Calendar.from_ical(content)
        assert str(cal["METHOD"]) == "CANCEL"
        event = cal.walk("VEVENT")[0]
        assert event["UID"] == uid
        assert event["SEQUENCE"] == 1
    assert AuditEvent.objects.filter(kind="conference.deleted", account=conference.account)


def test_deleting_an_ended_conference_sends_nothing(alice_client, alice, send_mail, mailoutbox):
    past = make_conference(
        alice, starts_at=timezone.now() - timedelta(days=1), invitees=("jan@example.com",)
    )
    with send_mail():
        alice_client.post(url(past))
    assert not Conference.objects.filter(pk=past.pk).exists()
    assert mailoutbox == []


def test_a_conference_of_another_account_is_not_found(client, bob, conference):
    client.force_login(bob.user)
    assert client.get(url(conference)).status_code == 404
    assert client.post(url(conference)).status_code == 404
    assert Conference.objects.filter(pk=conference.pk).exists()


def test_it_refuses_other_methods(alice_client, conference):
    assert alice_client.put(url(conference)).status_code == 405


def test_it_refuses_when_conferences_are_disabled(alice_client, alice, conference):
    alice.conferences_enabled = False
    alice.save()
    assert alice_client.post(url(conference)).status_code == 403
    assert Conference.objects.filter(pk=conference.pk).exists()
