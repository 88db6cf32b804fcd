from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.calls.history import filtered_calls
from accounts.models import CallRecord
from accounts.paging import IndexPaginator
from tests import factories

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def _new_york(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def _rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>")


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get("/calls/")["Location"] == "/login/?next=/calls/"


def test_staff_without_an_account_are_sent_to_the_admin(client, staff):
    client.force_login(staff)
    assert client.get("/calls/")["Location"] == "/admin/"


def test_it_does_not_accept_post(alice_client):
    assert alice_client.post("/calls/").status_code == 405


def test_it_lists_the_calls_with_every_column_in_polish(alice_client, alice):
    factories.make_call(
        alice,
        started_at=timezone.now() - timedelta(hours=1),
        caller="+48601765432",
        callee="+48223809888",
        direction=CallRecord.Direction.INBOUND,
        disposition=CallRecord.Disposition.BUSY,
        duration=3725,
        description="Łódź — infolinia",
        charge=Decimal("1.5"),
    )
    response = alice_client.get("/calls/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="h3 mb-3">Spis połączeń</h1>' in html
    for text in ["+48601765432", "+48223809888", "Przychodzące", "1:02:05", "Zajęte"]:
        assert text in html, text
    assert "Łódź — infolinia" in html and "1,50 PLN" in html
    assert "Strona 1 z 1" in html


def test_calls_are_newest_first(alice_client, alice):
    now = timezone.now()
    factories.make_call(alice, started_at=now - timedelta(days=2), callee="+48111000002")
    factories.make_call(alice, started_at=now - timedelta(days=1), callee="+48111000001")
    factories.make_call(alice, started_at=now - timedelta(days=3), callee="+48111000003")
    html = alice_client.get("/calls/").content.decode()
    positions = [html.index(f"+4811100000{n}") for n in (1, 2, 3)]
    assert positions == sorted(positions)


def test_times_are_shown_in_the_accounts_time_zone(alice_client, alice):
    alice.time_zone = "America/New_York"
    alice.save()
    factories.make_call(alice, started_at=datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("UTC")))
    assert "08:00" in alice_client.get("/calls/").content.decode()


def test_an_empty_history_says_there_is_no_data(alice_client):
    html = alice_client.get("/calls/").content.decode()
    assert "Brak danych do wyświetlenia" in html
    assert "/calls/export.csv" not in html


def test_it_never_shows_another_accounts_calls(alice_client, alice, bob):
    factories.make_call(alice, callee="+48500000001")
    factories.make_call(bob, callee="+48999888777", caller="+48999888777")
    for query in ["", "?number=999888777", "?number=%25", "?page=2", "?direction=out"]:
        html = alice_client.get(f"/calls/{query}").content.decode()
        assert "+48999888777" not in html, query


def test_the_date_range_is_read_in_the_accounts_time_zone(alice_client, alice):
    alice.time_zone = "America/New_York"
    alice.save()
    factories.make_call(alice, started_at=_new_york(2026, 3, 9, 23, 59), callee="+48100000000")
    factories.make_call(alice, started_at=_new_york(2026, 3, 10, 0, 0), callee="+48100000001")
    factories.make_call(alice, started_at=_new_york(2026, 3, 10, 23, 59), callee="+48100000002")
    factories.make_call(alice, started_at=_new_york(2026, 3, 11, 0, 0), callee="+48100000003")
    html = alice_client.get("/calls/?date_from=2026-03-10&date_to=2026-03-10").content.decode()
    assert "+48100000001" in html and "+48100000002" in html
    assert "+48100000000" not in html and "+48100000003" not in html


def test_dates_may_be_typed_the_polish_way(alice_client, alice):
    factories.make_call(alice, started_at=timezone.now() - timedelta(days=400), callee="+48200")
    factories.make_call(alice, started_at=timezone.now(), callee="+48201")
    day = timezone.localdate() - timedelta(days=1)
    html = alice_client.get(f"/calls/?date_from={day:%d.%m.%Y}").content.decode()
    assert "+48201" in html and "+48200" not in html


def test_it_filters_by_direction(alice_client, alice):
    factories.make_call(alice, direction="in", callee="+48300000001")
    factories.make_call(alice, direction="out", callee="+48300000002")
    html = alice_client.get("/calls/?direction=in").content.decode()
    assert "+48300000001" in html and "+48300000002" not in html


def test_it_filters_answered_and_unsuccessful_calls(alice_client, alice):
    factories.make_call(alice, disposition="answered", callee="+48400000001")
    factories.make_call(alice, disposition="no_answer", callee="+48400000002")
    factories.make_call(alice, disposition="failed", callee="+48400000003")
    answered = alice_client.get("/calls/?result=answered").content.decode()
    assert "+48400000001" in answered and "+48400000002" not in answered
    unsuccessful = alice_client.get("/calls/?result=unsuccessful").content.decode()
    assert "+48400000001" not in unsuccessful
    assert "+48400000002" in unsuccessful and "+48400000003" in unsuccessful


def test_the_number_filter_matches_caller_or_callee_ignoring_spaces_and_dashes(alice_client, alice):
    factories.make_call(alice, caller="+48221234567", callee="+48500000000")
    factories.make_call(alice, caller="+48600000000", callee="+48607221234")
    factories.make_call(alice, caller="+48700000000", callee="+48700000001")
    html = alice_client.get("/calls/?number=22+123-45").content.decode()
    assert "+48221234567" in html and "+48607221234" not in html
    html = alice_client.get("/calls/?number=7221").content.decode()
    assert "+48607221234" in html and "+48700000000" not in html


def test_filters_combine(alice_client, alice):
    factories.make_call(alice, direction="in", disposition="answered", callee="+48500000001")
    factories.make_call(alice, direction="in", disposition="busy", callee="+48500000002")
    factories.make_call(alice, direction="out", disposition="busy", callee="+48500000003")
    html = alice_client.get("/calls/?direction=in&result=unsuccessful&number=5000").content.decode()
    assert _rows(html) == 1 and "+48500000002" in html


@pytest.mark.parametrize(
    "query",
    [
        "?number=%27%20OR%201%3D1%20--",
        "?number=%22%3B%20DROP%20TABLE%20accounts_callrecord%3B%20--",
        "?number=%25",
        "?number=_",
    ],
)
def test_sql_looking_text_is_only_searched_for(alice_client, alice, query):
    factories.make_call(alice, caller="+48221234567", callee="+48501234567")
    response = alice_client.get(f"/calls/{query}")
    assert response.status_code == 200
    assert "+48221234567" not in response.content.decode()
    assert CallRecord.objects.count() == 1


def test_html_in_the_number_filter_is_shown_as_text(alice_client, alice):
    factories.make_call(alice)
    html = alice_client.get("/calls/?number=<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # kept in the field as typed


def test_an_end_before_the_start_is_explained_in_polish(alice_client, alice):
    factories.make_call(alice, started_at=timezone.now() - timedelta(days=1), callee="+48501")
    response = alice_client.get("/calls/?date_from=2026-03-10&date_to=2026-03-01")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Data końcowa musi być taka sama jak początkowa lub późniejsza." in html
    assert 'data-testid="error-summary"' in html and 'href="#id_date_to"' in html
    assert 'value="2026-03-10"' in html and 'value="2026-03-01"' in html  # kept as typed


def test_a_malformed_date_is_an_error_and_the_rest_still_filters(alice_client, alice):
    factories.make_call(alice, direction="in", callee="+48600000001")
    factories.make_call(alice, direction="out", callee="+48600000002")
    response = alice_client.get("/calls/?date_from=2026-02-31&direction=in")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Podaj datę początkową jako datę, np. 2026-11-24." in html
    assert 'value="2026-02-31"' in html
    assert "+48600000001" in html and "+48600000002" not in html


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1969-12-31"])
def test_dates_far_in_the_past_or_future_are_refused_clearly(alice_client, alice, day):
    response = alice_client.get(f"/calls/?date_from={day}&date_to={day}")
    assert response.status_code == 200
    assert "Podaj datę z zakresu" in response.content.decode()


@pytest.mark.parametrize(
    "query", ["?direction=sideways", "?result=maybe", "?direction[]=in", "?number=" + "9" * 65]
)
def test_unknown_filter_values_are_errors_and_the_list_still_shows(alice_client, alice, query):
    factories.make_call(alice, callee="+48700000001")
    response = alice_client.get(f"/calls/{query}")
    html = response.content.decode()
    assert response.status_code == 200
    if "[]" not in query:  # an unknown parameter is simply ignored
        assert 'data-testid="error-summary"' in html
    assert "+48700000001" in html


def test_a_null_character_in_the_number_is_an_error_not_a_crash(alice_client, alice):
    factories.make_call(alice, callee="+48700000001")
    response = alice_client.get("/calls/?number=12%00")
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in response.content.decode()


def test_calls_are_paged_with_page_x_of_y(alice_client, alice):
    start = timezone.now() - timedelta(days=10)
    for n in range(120):
        factories.make_call(alice, started_at=start + timedelta(minutes=n), callee=f"+48{n:09d}")
    first = alice_client.get("/calls/").content.decode()
    assert "Strona 1 z 3" in first and _rows(first) == 50
    assert "+48000000119" in first and "+48000000070" in first and "+48000000069" not in first
    second = alice_client.get("/calls/?page=2").content.decode()
    assert "Strona 2 z 3" in second
    assert "+48000000069" in second and "+48000000020" in second
    assert "+48000000019" not in second
    last = alice_client.get("/calls/?page=3").content.decode()
    assert "Strona 3 z 3" in last and _rows(last) == 20
    assert "+48000000019" in last and "+48000000000" in last


@pytest.mark.parametrize("direct_offset", [0, IndexPaginator.direct_offset])
def test_pages_beyond_the_middle_list_the_same_calls_as_plain_offsets(alice, direct_offset):
    # The paginator reads the second half from the oldest end, by ids first or (near the
    # ends) directly; the order must not change, even for calls that started at the same second.
    same_time = timezone.now() - timedelta(days=1)
    for n in range(7):
        factories.make_call(alice, started_at=same_time, callee=f"+48{n:09d}")
    factories.make_call(alice, started_at=same_time - timedelta(hours=1))
    expected = list(
        CallRecord.objects.filter(account=alice)
        .order_by("-started_at", "-id")
        .values_list("pk", flat=True)
    )
    paginator = IndexPaginator(filtered_calls(alice, {}), per_page=3)
    paginator.direct_offset = direct_offset
    listed = [call.pk for n in paginator.page_range for call in paginator.page(n)]
    assert listed == expected
    assert [len(paginator.page(n)) for n in paginator.page_range] == [3, 3, 2]


@pytest.mark.parametrize(
    ("page", "expected"),
    [("abc", "Strona 1 z 3"), ("99999999999999999999", "Strona 3 z 3"), ("", "Strona 1 z 3")],
)
def test_odd_page_numbers_are_corrected(alice_client, alice, page, expected):
    for _ in range(101):
        factories.make_call(alice)
    response = alice_client.get(f"/calls/?page={page}")
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_paging_links_keep_the_filters(alice_client, alice):
    for _ in range(60):
        factories.make_call(alice, direction="in", caller="+48221234567")
    html = alice_client.get("/calls/?direction=in&number=2212").content.decode()
    assert "Strona 1 z 2" in html
    assert 'href="?direction=in&amp;number=2212&amp;page=2"' in html
    assert '<input type="hidden" name="number" value="2212">' in html  # the page-number box


def test_the_export_link_carries_the_filters_but_not_the_page(alice_client, alice):
    for _ in range(60):
        factories.make_call(alice, direction="out")
    html = alice_client.get("/calls/?direction=out&page=2").content.decode()
    assert 'href="/calls/export.csv?direction=out"' in html


def test_incoming_calls_offer_blocking_when_call_screening_is_on(alice_client, alice):
    alice.call_screening_enabled = True
    alice.save()
    factories.make_call(alice, direction="in", caller="+48601765432")
    factories.make_call(alice, direction="out", callee="+48501234567", caller="+48223809888")
    factories.make_call(alice, direction="in", caller="")  # anonymous: nothing to block
    html = alice_client.get("/calls/?direction=in").content.decode()
    assert html.count("Zablokuj ten numer") == 1
    assert 'action="/centrex/screening/block/"' in html
    assert '<input type="hidden" name="number" value="+48601765432">' in html
    assert '<input type="hidden" name="next" value="/calls/?direction=in">' in html
    outgoing = alice_client.get("/calls/?direction=out").content.decode()
    assert "Zablokuj ten numer" not in outgoing


def test_the_block_form_of_each_row_posts_its_own_number_with_a_valid_token(alice, bob):
    # The rows are written in Python (accounts.templatetags.call_history) from one rendering of
    # _block_number.html: each row must carry its own number, escaped, and the page's token.
    from django.test import Client

    factories.enable_screening(alice)
    factories.make_call(alice, direction="in", caller="+48601765432")
    factories.make_call(alice, direction="in", caller='12"><b>34')
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice.user)
    html = browser.get("/calls/").content.decode()
    assert '<input type="hidden" name="number" value="12&quot;&gt;&lt;b&gt;34">' in html
    assert '<span class="visually-hidden"> 12&quot;&gt;&lt;b&gt;34</span>' in html
    assert "<b>34" not in html
    forms = re.findall(r'<form method="post" action="/centrex/screening/block/">(.*?)</form>', html)
    assert len(forms) == 2
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', forms[0]))
    assert fields["number"] == "+48601765432" and fields["next"] == "/calls/"
    response = browser.post("/centrex/screening/block/", fields)
    assert response.status_code == 302 and response["Location"] == "/calls/"
    assert alice.screening_rules.get(is_blocklist=True).patterns == ["+48601765432"]


def test_each_cell_is_labelled_and_escaped_for_the_phone_layout(alice_client, alice):
    factories.make_call(alice, caller="", description='<script>alert("x")</script> & co')
    html = alice_client.get("/calls/").content.decode()
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    labels = re.findall(r'<td data-label="([^"]*)"', body)
    assert labels == [
        "Czas początku",
        "Dzwoniący",
        "Numer wybierany",
        "Kierunek",
        "Czas trwania",
        "Wynik",
        "Opis",
        "Opłata",
    ]
    assert '<td data-label="Dzwoniący">numer zastrzeżony</td>' in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in body
    assert "<script>" not in body


def test_without_call_screening_no_number_is_offered_for_blocking(alice_client, alice):
    # The button would lead to a refusal: call screening is off for the account.
    factories.make_call(alice, direction="in", caller="+48601765432")
    html = alice_client.get("/calls/").content.decode()
    assert "Zablokuj ten numer" not in html and "/centrex/screening/block/" not in html
    assert "+48601765432" in html


def test_it_speaks_english_to_english_accounts(alice_client, alice):
    alice.language = "en"
    alice.save()
    factories.make_call(alice, disposition="no_answer")
    html = alice_client.get("/calls/?date_to=bad").content.decode()
    assert "Call history" in html and "No answer" in html and "Page 1 of 1" in html
    assert "Enter the end date as a date" in html


def test_its_query_count_is_bounded_however_many_calls(
    alice_client, alice, django_assert_max_num_queries
):
    for _ in range(5):
        factories.make_call(alice)
    with django_assert_max_num_queries(8) as few:
        alice_client.get("/calls/?direction=out&number=22")
    CallRecord.objects.bulk_create(
        [
            CallRecord(
                account=alice,
                source="bulk",
                source_id=str(n),
                started_at=timezone.now() - timedelta(minutes=n),
                caller="+48221234567",
                callee="+48501234567",
                direction="out",
                disposition="answered",
            )
            for n in range(400)
        ]
    )
    for page in ("1", "4", "9"):
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = alice_client.get(f"/calls/?direction=out&number=22&page={page}")
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("language", "headings"),
    [
        (
            "pl",
            [
                "Spis połączeń",
                "Eksport do pliku CSV i do Excela",
                "Historia salda",
                "Wykres zużycia",
            ],
        ),
        ("en", ["Call history", "Export to CSV and to Excel", "Balance history", "Usage chart"]),
    ],
)
def test_the_help_sections_describe_each_part_in_both_languages(language, headings):
    from django.template.loader import render_to_string

    html = render_to_string(f"help/_calls_{language}.html")
    found = re.findall(r"<h2 id=\"[a-z-]+\">([^<]+)</h2>", html)
    assert found[:4] == headings and len(found) == 5  # … and the low-balance alert


@pytest.mark.parametrize(
    ("language", "count", "sentence"),
    [
        ("pl", 1, "1 połączenie spełnia warunki filtrów"),
        ("pl", 2, "2 połączenia spełniają warunki filtrów"),
        ("pl", 5, "5 połączeń spełnia warunki filtrów"),
        ("pl", 22, "22 połączenia spełniają warunki filtrów"),
        ("en", 1, "1 call matches the filters"),
        ("en", 2, "2 calls match the filters"),
    ],
)
def test_the_filtered_count_is_one_grammatical_sentence(
    alice_client, alice, language, count, sentence
):
    alice.language = language
    alice.save()
    for _ in range(count):
        factories.make_call(alice, callee="+48501234567")
    factories.make_call(alice, callee="+48229999999")  # filtered out
    html = alice_client.get("/calls/?number=501").content.decode()
    found = re.search(r'data-testid="call-count">([^<]*)<', html)
    assert found is not None and found[1] == sentence


def test_the_pulpit_tab_is_marked_as_the_section_of_spis_polaczen(alice_client):
    html = alice_client.get("/calls/").content.decode()
    assert 'active" aria-current="true" href="/">Pulpit</a>' in html
    # Not "page": the tab leads to the Pulpit, not to the page shown.
    assert 'aria-current="page" href="/">' not in html
    dashboard = alice_client.get("/").content.decode()
    assert 'active" aria-current="page" href="/">Pulpit</a>' in dashboard
