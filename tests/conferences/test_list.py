from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_conference

pytestmark = pytest.mark.django_db

URL = "/centrex/conferences/"


@pytest.fixture
def three_kinds(alice):
    now = timezone.now()
    return {
        "past": make_conference(alice, name="Wczorajsza", starts_at=now - timedelta(days=1)),
        "current": make_conference(alice, name="Trwająca", starts_at=now - timedelta(minutes=10)),
        "future": make_conference(alice, name="Jutrzejsza", starts_at=now + timedelta(days=1)),
        "room": make_conference(
            alice, name="Pokój zarządu", is_permanent=True, starts_at=now - timedelta(days=90)
        ),
    }


def names(response) -> list[str]:
    return [c.name for c in response.context["page"].object_list]


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_shows_the_seed_page_in_polish_when_there_are_no_conferences(alice_client):
    response = alice_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Pokaż konferencje",
        "Wszystkie",
        "Poprzednie",
        "Bieżące",
        "Przyszłe",
        "Edytuj",
        "Nazwa",
        "Czas początku",
        "Czas trwania",
        "Brak danych do wyświetlenia",
        "Dodaj konferencję",
        "Strona 1 z 1",
    ):
        assert text in html, text
    assert 'href="/centrex/conferences/new/"' in html


def test_it_shows_current_conferences_and_permanent_rooms_by_default(alice_client, three_kinds):
    response = alice_client.get(URL)
    assert names(response) == ["Pokój zarządu", "Trwająca"]
    assert response.context["show"] == "current"


@pytest.mark.parametrize(
    ("show", "expected"),
    [
        ("past", ["Wczorajsza"]),
        ("current", ["Pokój zarządu", "Trwająca"]),
        ("future", ["Jutrzejsza"]),
        ("all", ["Jutrzejsza", "Trwająca", "Wczorajsza", "Pokój zarządu"]),
        ("nonsense", ["Pokój zarządu", "Trwająca"]),
    ],
)
def test_it_filters_by_time(alice_client, three_kinds, show, expected):
    assert names(alice_client.get(URL, {"show": show})) == expected


def test_it_hides_other_accounts_conferences(alice_client, bob):
    make_conference(bob, name="Tajna narada", starts_at=timezone.now() - timedelta(minutes=5))
    response = alice_client.get(URL, {"show": "all"})
    assert "Tajna narada" not in response.content.decode()


def test_it_shows_times_in_the_accounts_time_zone(alice_client, alice):
    alice.time_zone = "Asia/Tokyo"
    alice.save()
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2)
    make_conference(alice, starts_at=start, minutes=90)
    html = alice_client.get(URL, {"show": "future"}).content.decode()
    tokyo = timezone.localtime(start, alice.zone)
    assert tokyo.strftime("%H:%M") in html
    assert "1 godz. 30 min" in html


def test_an_ended_conference_has_no_edit_link(alice_client, three_kinds):
    html = alice_client.get(URL, {"show": "past"}).content.decode()
    past = three_kinds["past"]
    assert f"/centrex/conferences/{past.pk}/edit/" not in html
    assert f"/centrex/conferences/{past.pk}/" in html


def test_it_pages_long_lists_and_keeps_the_filter(alice_client, alice):
    start = timezone.now() + timedelta(days=1)
    for n in range(45):
        make_conference(alice, name=f"K{n:02d}", starts_at=start + timedelta(hours=n), codes=False)
    response = alice_client.get(URL, {"show": "future", "page": 3})
    html = response.content.decode()
    assert "Strona 3 z 3" in html
    assert names(response) == [f"K{n:02d}" for n in range(40, 45)]
    assert "show=future&amp;page=2" in html
    # A page number out of range shows the last page instead of an error.
    assert "Strona 3 z 3" in alice_client.get(URL, {"show": "future", "page": 99}).content.decode()


def test_the_list_takes_a_bounded_number_of_queries(
    alice_client, alice, django_assert_max_num_queries
):
    start = timezone.now() - timedelta(days=200)
    for n in range(120):
        make_conference(alice, starts_at=start + timedelta(days=n), codes=False)
    alice_client.get(URL)  # warm up the session
    with django_assert_max_num_queries(6):  # session, user+account, count, page
        response = alice_client.get(URL, {"show": "all"})
    assert len(response.context["page"].object_list) == 20


def test_it_refuses_other_methods(alice_client):
    assert alice_client.post(URL).status_code == 405


def test_it_shows_the_disabled_message_when_staff_switched_conferences_off(
    alice_client, alice, three_kinds
):
    alice.conferences_enabled = False
    alice.save()
    response = alice_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Konferencje są wyłączone. W celu włączenia skontaktuj się ze swoim dostawcą usługi "
        "lub administratorem." in html
    )
    assert "Trwająca" not in html
    assert "Dodaj konferencję" not in html


def test_with_conferences_off_the_page_has_a_heading_and_links_to_the_help(alice_client, alice):
    alice.conferences_enabled = False
    alice.language = "en"
    alice.save()
    html = alice_client.get(URL).content.decode()
    assert '<h1 class="h4">Conferences</h1>' in html
    assert "Conferences let you plan telephone meetings" in html
    assert 'href="/help/#conferences">Read about it in the help</a>' in html
