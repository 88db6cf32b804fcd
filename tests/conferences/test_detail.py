from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conferences import access_codes
from tests.factories import make_conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference(alice):
    return make_conference(
        alice, name="Rada nadzorcza", invitees=("jan@example.com", "ewa@example.com")
    )


def url(conference) -> str:
    return f"/centrex/conferences/{conference.pk}/"


def test_it_sends_anonymous_visitors_to_the_login_page(client, conference):
    response = client.get(url(conference))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_shows_the_codes_and_tel_links_that_dial_number_and_code(
    alice_client, conference, settings
):
    settings.CONFERENCE_DIAL_IN_NUMBERS = ["+48221234567", "+48587654321"]
    response = alice_client.get(url(conference))
    assert response.status_code == 200
    html = response.content.decode()
    codes = conference.codes()
    assert codes["host"] in html and codes["guest"] in html
    assert f'href="tel:+48221234567,,{codes["guest"]}%23"' in html
    assert f'href="tel:+48587654321,,{codes["host"]}%23"' in html
    assert "Kod gospodarza (moderatora)" in html
    assert "jan@example.com" in html
    assert f'href="/centrex/conferences/{conference.pk}/invite.ics"' in html
    assert f'action="/centrex/conferences/{conference.pk}/codes/"' in html


def test_a_conference_of_another_account_is_not_found(client, bob, conference):
    client.force_login(bob.user)
    assert client.get(url(conference)).status_code == 404


def test_a_missing_conference_is_not_found(alice_client):
    assert alice_client.get("/centrex/conferences/999999/").status_code == 404


def test_it_refuses_other_methods(alice_client, conference):
    assert alice_client.post(url(conference)).status_code == 405


def test_an_ended_conference_shows_that_its_codes_are_released(alice_client, alice):
    past = make_conference(alice, starts_at=timezone.now() - timedelta(days=2))
    access_codes.release_codes_of_ended()
    html = alice_client.get(url(past)).content.decode()
    assert "kody dostępu zostały zwolnione" in html
    assert f"/centrex/conferences/{past.pk}/edit/" not in html


def test_a_permanent_room_offers_no_calendar_file(alice_client, alice):
    room = make_conference(alice, is_permanent=True, starts_at=timezone.now())
    html = alice_client.get(url(room)).content.decode()
    assert "invite.ics" not in html
    assert "Pokój stały" in html


def test_a_permanent_room_shows_its_session_limit_in_hours_and_minutes(alice_client, alice):
    room = make_conference(alice, is_permanent=True, starts_at=timezone.now())  # 120 minutes
    html = alice_client.get(url(room)).content.decode()
    assert '<dd class="col-sm-7" data-testid="max-session">2 godz.</dd>' in html
