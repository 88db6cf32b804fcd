"""/centrex/screening/switch/: the customer's master switch."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from centrex.screening.models import ScreeningSettings
from tests.centrex.screening_texts import DISABLED_PL
from tests.factories import enable_screening

pytestmark = pytest.mark.django_db
URL = "/centrex/screening/switch/"


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.post(URL, {"enabled": "0"})["Location"] == f"/login/?next={URL}"


def test_it_does_not_accept_get(alice_client, alice):
    enable_screening(alice)
    assert alice_client.get(URL).status_code == 405


def test_switching_off_and_on_is_saved_and_audited(alice_client, alice):
    enable_screening(alice)
    response = alice_client.post(URL, {"enabled": "0"}, follow=True)
    assert "Selektywne kierowanie połączeń jest wyłączone" in response.content.decode()
    assert not ScreeningSettings.objects.get(account=alice).enabled
    alice_client.post(URL, {"enabled": "1"})
    assert ScreeningSettings.objects.get(account=alice).enabled
    assert list(AuditEvent.objects.order_by("id").values_list("kind", flat=True)) == [
        "screening.switched_off",
        "screening.switched_on",
    ]


def test_switching_on_what_is_on_changes_nothing(alice_client, alice):
    enable_screening(alice)
    alice_client.post(URL, {"enabled": "1"})
    assert not AuditEvent.objects.exists()


def test_a_value_other_than_on_or_off_changes_nothing(alice_client, alice):
    enable_screening(alice)
    response = alice_client.post(URL, {"enabled": "yes"}, follow=True)
    assert response.status_code == 200
    assert "Wybierz, czy włączyć, czy wyłączyć" in response.content.decode()
    assert not ScreeningSettings.objects.exists()


def test_with_the_feature_off_the_switch_is_refused(alice_client, alice):
    response = alice_client.post(URL, {"enabled": "0"})
    assert response.status_code == 403 and DISABLED_PL in response.content.decode()
    assert not ScreeningSettings.objects.exists()
    assert not AuditEvent.objects.exists()
