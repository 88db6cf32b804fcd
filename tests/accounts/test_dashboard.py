from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.ledger.services import change_balance
from accounts.models import SipLocation
from tests import factories

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get("/")["Location"] == "/login/?next=/"


def test_it_shows_the_seed_widgets_in_polish(alice_client, alice):
    html = alice_client.get("/").content.decode()
    for label in [
        "Konto Portal samoobsługi",
        "Saldo",
        "Język interfejsu Web",
        f"(Login: {alice.login})",
        "ID Konta",
        "Informacje kontaktowe",
        "Informacje o członkostwie w grupach przechwytywania",
        "Nazwa grupy",
        "Limit kredytowy",
        "Spis połączeń",
        "Pulpit",
        "Pomoc",
    ]:
        assert label in html, label
    assert alice.account_id in html


def test_empty_tables_say_there_is_no_data(alice_client):
    html = alice_client.get("/").content.decode()
    assert html.count("Brak danych do wyświetlenia") == 2  # hunt groups and calls


def _register(account, *, expires_in: timedelta, user_agent="Yealink T46U", domain=None):
    """A registration as the proxy's usrloc writes it into `location`."""
    contact = f"sip:{account.account_id}@192.0.2.10:5062"
    return SipLocation.objects.create(
        ruid=f"uloc-{account.pk}-{user_agent}",
        username=account.account_id,
        domain=domain or settings.SIP_DOMAIN,
        contact=contact,
        expires=timezone.now() + expires_in,
        user_agent=user_agent,
    )


def test_it_shows_offline_without_a_current_sip_registration(alice_client, alice):
    _register(alice, expires_in=timedelta(minutes=-1))
    html = alice_client.get("/").content.decode()
    assert "Offline" in html and "Yealink T46U" not in html


def test_it_shows_online_with_each_registered_phone(alice_client, alice):
    _register(alice, expires_in=timedelta(minutes=5))
    _register(alice, expires_in=timedelta(minutes=50), user_agent="baresip v1.0.0")
    html = alice_client.get("/").content.decode()
    assert "Online" in html and "Offline" not in html
    assert "Yealink T46U" in html and "baresip v1.0.0" in html
    assert f"sip:{alice.account_id}@192.0.2.10:5062" in html


def test_another_accounts_or_domains_registration_does_not_count(alice_client, alice, bob):
    _register(bob, expires_in=timedelta(minutes=5))
    _register(alice, expires_in=timedelta(minutes=5), domain="old.example.com")
    assert "Offline" in alice_client.get("/").content.decode()


def test_it_shows_balance_and_credit_limit_localized(alice_client, alice):
    change_balance(alice, Decimal("1234.5"), "top_up", "test")
    alice.credit_limit = Decimal("50")
    alice.save()
    html = alice_client.get("/").content.decode()
    assert "1\xa0234,50 PLN" in html
    assert "50,00 PLN" in html


def test_it_shows_english_number_format_for_english_accounts(alice_client, alice):
    change_balance(alice, Decimal("1234.5"), "top_up", "test")
    alice.language = "en"
    alice.save()
    html = alice_client.get("/").content.decode()
    assert "1,234.50 PLN" in html
    assert "Balance" in html and "Credit limit" in html


def test_it_shows_contact_and_hunt_groups(alice_client, alice):
    alice.contact_person = "Jan Kontaktowy"
    alice.city = "Kraków"
    alice.postal_code = "30-001"
    alice.save()
    factories.make_hunt_group(alice, name="Sprzedaż")
    html = alice_client.get("/").content.decode()
    assert "Jan Kontaktowy" in html and "30-001 Kraków" in html
    assert "Sprzedaż" in html
    assert alice.email in html


def test_it_shows_recent_calls_in_the_accounts_time_zone(alice_client, alice):
    alice.time_zone = "America/New_York"
    alice.save()
    started = timezone.make_aware(
        timezone.datetime(2026, 7, 1, 12, 0), timezone.get_fixed_timezone(0)
    )
    factories.make_call(alice, started_at=started, callee="+48600111222")
    html = alice_client.get("/").content.decode()
    assert "+48600111222" in html
    assert "08:00" in html  # 12:00 UTC is 08:00 in New York in July


def test_recent_calls_show_their_result_as_spis_polaczen_does(alice_client, alice):
    factories.make_call(alice, disposition="failed")
    dashboard = alice_client.get("/").content.decode()
    calls = alice_client.get("/calls/").content.decode()
    cell = '<td data-label="Wynik">Nieudane</td>'
    assert cell in dashboard and cell in calls


def test_it_never_shows_another_accounts_data(alice_client, bob):
    factories.make_call(bob, callee="+48999888777")
    factories.make_hunt_group(bob, name="Grupa Boba")
    html = alice_client.get("/").content.decode()
    assert "+48999888777" not in html
    assert "Grupa Boba" not in html
    assert bob.account_id not in html


def test_it_does_not_accept_post(alice_client):
    assert alice_client.post("/").status_code == 405


def test_its_query_count_does_not_grow_with_calls_groups_or_numbers(
    alice_client, alice, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as few:
        alice_client.get("/")
    for _ in range(30):
        factories.make_call(alice)
    for _ in range(5):
        factories.make_hunt_group(alice)
    for minutes in range(1, 4):
        _register(alice, expires_in=timedelta(minutes=minutes), user_agent=f"phone {minutes}")
    for n in range(3):
        factories.make_number(alice, f"4822380988{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_client.get("/")
    assert response.status_code == 200


def test_it_shows_the_accounts_telephone_numbers(alice_client, alice, bob):
    factories.make_number(alice, "48223809888")
    factories.make_number(alice, "48587654321")
    factories.make_number(bob, "48223809889")
    html = alice_client.get("/").content.decode()
    numbers = html[html.index('data-testid="numbers"') :]
    numbers = numbers[: numbers.index("</ul>")]
    assert "<li>+48223809888</li>" in numbers and "<li>+48587654321</li>" in numbers
    assert "48223809889" not in html


def test_an_account_without_numbers_shows_a_dash(alice_client):
    html = alice_client.get("/").content.decode()
    numbers = html[html.index('data-testid="numbers"') :]
    assert numbers[: numbers.index("</ul>")].count("<li>—</li>") == 1


def test_hunt_groups_are_listed_by_name_and_numbers_in_order(alice_client, alice, bob):
    for name in ("Zespół B", "Sprzedaż", "Administracja"):
        factories.make_hunt_group(alice, name=name)
    factories.make_hunt_group(bob, name="Aaa Boba")
    for number in ("48587654321", "48223809888", "48501000000"):
        factories.make_number(alice, number)
    html = alice_client.get("/").content.decode()
    groups = html[html.index('id="w-groups"') :]
    found = [name for name in ("Administracja", "Sprzedaż", "Zespół B") if name in groups]
    assert found == ["Administracja", "Sprzedaż", "Zespół B"]
    assert [groups.index(name) for name in found] == sorted(groups.index(name) for name in found)
    assert "Aaa Boba" not in html
    numbers = html[html.index('data-testid="numbers"') :]
    numbers = numbers[: numbers.index("</ul>")]
    assert numbers.count("<li>") == 3
    assert (
        numbers.index("+48223809888")
        < numbers.index("+48501000000")
        < numbers.index("+48587654321")
    )
