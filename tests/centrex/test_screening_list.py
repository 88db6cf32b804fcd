"""/centrex/screening/: the rule list, the master switch, and the seed's message while off."""

from __future__ import annotations

import pytest

from centrex.screening.models import ScreeningRule, ScreeningSettings
from tests import factories
from tests.centrex.screening_texts import DISABLED_EN, DISABLED_PL
from tests.factories import FRI, SAT, SUN, days, enable_screening, make_rule

pytestmark = pytest.mark.django_db
Action = ScreeningRule.Action


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/centrex/screening/")
    assert response["Location"] == "/login/?next=/centrex/screening/"


def test_the_ip_centrex_tab_opens_call_screening(alice_client):
    assert alice_client.get("/centrex/")["Location"] == "/centrex/screening/"


def test_it_does_not_accept_post(alice_client, alice):
    enable_screening(alice)
    assert alice_client.post("/centrex/screening/").status_code == 405


def test_with_the_feature_off_it_shows_the_seeds_message_and_nothing_else(alice_client, alice):
    make_rule(alice, "+4822%", name="Ukryta reguła")
    response = alice_client.get("/centrex/screening/")
    html = response.content.decode()
    assert response.status_code == 200
    assert DISABLED_PL in html
    assert "Ukryta reguła" not in html
    assert "/centrex/screening/new/" not in html
    assert "/centrex/screening/switch/" not in html


def test_with_the_feature_off_the_page_has_a_heading_and_says_what_the_service_does(
    alice_client,
):
    html = alice_client.get("/centrex/screening/").content.decode()
    assert '<h1 class="h4">Selektywne kierowanie połączeń</h1>' in html
    assert "decyduje, co dzieje się z każdym połączeniem przychodzącym" in html
    assert 'href="/help/#selektywne-kierowanie">' in html


def test_with_the_feature_off_the_message_is_in_english_for_english_accounts(alice_client, alice):
    alice.language = "en"
    alice.save()
    assert DISABLED_EN in alice_client.get("/centrex/screening/").content.decode()


def test_the_sub_tab_is_shown_and_active(alice_client, alice):
    html = alice_client.get("/centrex/screening/").content.decode()
    assert (
        'active" aria-current="page" href="/centrex/screening/">Selektywne kierowanie połączeń</a>'
        in html
    )


def test_it_lists_the_rules_in_order_with_what_they_do(alice_client, alice):
    enable_screening(alice, voicemail=True)
    make_rule(
        alice,
        "anonymous",
        name="Zastrzeżone nocą",
        days=days(FRI),
        time_from="22:00",
        time_to="06:00",
    )
    make_rule(
        alice, "+48601234567", name="Szef w weekend", action=Action.VOICEMAIL, days=days(SAT, SUN)
    )
    make_rule(
        alice,
        "+4822%",
        name="Warszawa",
        action=Action.RING_THEN_FORWARD,
        forward_to="+48501234567",
        ring_seconds=25,
    )
    html = alice_client.get("/centrex/screening/").content.decode()
    assert html.index("Zastrzeżone nocą") < html.index("Szef w weekend") < html.index("Warszawa")
    assert "numer zastrzeżony" in html
    assert "Pt 22:00–06:00 (do następnego dnia)" in html
    assert "So, Nd" in html
    assert "Poczta głosowa" in html
    assert "+48501234567" in html and "po 25 sekundach" in html
    assert "Dodaj regułę" in html


def test_an_empty_list_says_so(alice_client, alice):
    enable_screening(alice)
    html = alice_client.get("/centrex/screening/").content.decode()
    assert "Brak danych do wyświetlenia" in html


def test_it_never_shows_another_accounts_rules(alice_client, alice, bob):
    enable_screening(alice)
    enable_screening(bob)
    make_rule(bob, "%", name="Reguła Boba")
    assert "Reguła Boba" not in alice_client.get("/centrex/screening/").content.decode()


def test_it_warns_about_rules_that_never_apply(alice_client, alice):
    enable_screening(alice)
    make_rule(alice, "+48%", name="Cała Polska")
    make_rule(alice, "+4822%", name="Warszawa", action=Action.RING)
    make_rule(alice, "+48%", name="Znowu Polska")
    html = alice_client.get("/centrex/screening/").content.decode()
    assert html.count('data-testid="shadow-warning"') == 2
    assert "Nigdy nie działa: reguła 1 „Cała Polska”" in html
    assert "Powtarza regułę 1 „Cała Polska”" in html


def test_it_warns_about_voicemail_rules_while_voicemail_is_disabled(alice_client, alice):
    enable_screening(alice, voicemail=False)
    make_rule(alice, "%", action=Action.VOICEMAIL)
    html = alice_client.get("/centrex/screening/").content.decode()
    assert 'data-testid="voicemail-warning"' in html


def test_it_shows_when_the_master_switch_is_off(alice_client, alice):
    enable_screening(alice)
    ScreeningSettings.objects.create(account=alice, enabled=False)
    html = alice_client.get("/centrex/screening/").content.decode()
    assert 'data-testid="screening-off"' in html
    assert 'name="enabled" value="1"' in html  # the button switches it on


def test_showing_the_list_creates_no_settings(alice_client, alice):
    enable_screening(alice)
    alice_client.get("/centrex/screening/")
    assert not ScreeningSettings.objects.exists()


def test_the_number_of_queries_does_not_grow_with_the_rules(
    alice_client, alice, django_assert_max_num_queries
):
    enable_screening(alice)
    factories.make_hunt_group(alice)
    for n in range(30):
        make_rule(
            alice,
            f"+4812{n:02d}%",
            "anonymous",
            name=f"Reguła {n}",
            enabled=n % 3 != 0,
            days=days(SAT),
            time_from="10:00",
            time_to="11:00",
        )
    with django_assert_max_num_queries(4):
        response = alice_client.get("/centrex/screening/")
    assert response.content.decode().count('data-testid="rule-') == 30
