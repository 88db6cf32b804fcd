from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.ledger.services import change_balance
from tests import factories

pytestmark = pytest.mark.django_db


def _rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>")


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get("/balance/")["Location"] == "/login/?next=/balance/"


def test_it_does_not_accept_post(alice_client):
    assert alice_client.post("/balance/").status_code == 405


def test_it_explains_the_balance_entry_by_entry_in_polish(alice_client, alice):
    change_balance(alice, Decimal("100"), "top_up", "Przelew z banku")
    call = factories.make_call(alice)
    change_balance(alice, Decimal("-0.12"), "call_charge", "+48501234567", call=call)
    change_balance(alice, Decimal("5"), "refund", "Zwrot za awarię")
    change_balance(alice, Decimal("-1.5"), "adjustment", "Korekta")
    response = alice_client.get("/balance/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="h3 mb-3">Historia salda</h1>' in html
    for text in ["Doładowanie", "Opłata za połączenie", "Zwrot", "Korekta", "Saldo po operacji"]:
        assert text in html, text
    assert "Przelew z banku" in html and "Zwrot za awarię" in html
    assert "+100,00 PLN" in html and "-0,12 PLN" in html
    for after in ["100,00 PLN", "99,88 PLN", "104,88 PLN", "103,38 PLN"]:
        assert after in html, after
    assert html.index("103,38 PLN</td>") < html.index("99,88 PLN</td>")  # newest first


def test_an_empty_ledger_says_there_is_no_data(alice_client):
    assert "Brak danych do wyświetlenia" in alice_client.get("/balance/").content.decode()


def test_it_never_shows_another_accounts_entries(alice_client, alice, bob):
    change_balance(bob, Decimal("777.77"), "top_up", "Wpłata Boba")
    html = alice_client.get("/balance/?page=1").content.decode()
    assert "Wpłata Boba" not in html and "777,77" not in html


def test_entries_are_paged_with_page_x_of_y(alice_client, alice):
    start = timezone.now() - timedelta(days=30)
    for n in range(60):
        change_balance(
            alice, Decimal("1.00"), "top_up", f"Wpłata nr {n:03d}", at=start + timedelta(hours=n)
        )
    first = alice_client.get("/balance/").content.decode()
    assert "Strona 1 z 2" in first and _rows(first) == 50
    assert "Wpłata nr 059" in first and "Wpłata nr 010" in first
    assert "Wpłata nr 009" not in first
    second = alice_client.get("/balance/?page=2").content.decode()
    assert "Strona 2 z 2" in second and _rows(second) == 10
    assert "Wpłata nr 009" in second and "Wpłata nr 000" in second
    assert alice_client.get("/balance/?page=zzz").content.decode().count("Wpłata nr 059") == 1
    assert "Strona 2 z 2" in alice_client.get("/balance/?page=1000000").content.decode()


def test_the_header_balance_and_the_dashboard_link_here(alice_client):
    html = alice_client.get("/").content.decode()
    assert '<a class="konto-balance" href="/balance/"' in html
    assert 'data-testid="balance-history-link"' in html


def test_it_speaks_english_to_english_accounts(alice_client, alice):
    alice.language = "en"
    alice.save()
    change_balance(alice, Decimal("10"), "top_up", "")
    html = alice_client.get("/balance/").content.decode()
    assert "Balance history" in html and "Top-up" in html and "Page 1 of 1" in html


def test_its_query_count_is_bounded_however_many_entries(
    alice_client, alice, django_assert_max_num_queries
):
    change_balance(alice, Decimal("10"), "top_up", "")
    with django_assert_max_num_queries(8) as few:
        alice_client.get("/balance/")
    for _ in range(120):
        change_balance(alice, Decimal("-0.10"), "adjustment", "")
    for page in ("1", "2", "3"):
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert alice_client.get(f"/balance/?page={page}").status_code == 200


def test_the_pulpit_tab_is_marked_as_the_section_of_historia_salda(alice_client):
    html = alice_client.get("/balance/").content.decode()
    assert 'active" aria-current="true" href="/">Pulpit</a>' in html
    assert 'aria-current="page" href="/">' not in html
