"""Mój profil → Ogólne (/profile/): the customer's contact data."""

from __future__ import annotations

import pytest

from accounts.models import Account, AuditEvent

URL = "/profile/"


def form_data(**overrides) -> dict[str, str]:
    """Every field of the form, filled in as a customer in Warsaw would."""
    data = {
        "company_name": "Nowak Telekom sp. z o.o.",
        "salutation": "Pani",
        "first_name": "Alicja",
        "middle_name": "Maria",
        "last_name": "Nowak",
        "county": "Warszawa",
        "province": "mazowieckie",
        "postal_code": "00-950",
        "city": "Warszawa",
        "country": "PL",
        "contact_person": "Jan Kowalski",
        "phone": "22 123 45 67",
        "fax": "+48 22 123 45 68",
        "alt_phone": "501 234 567",
        "alt_contact": "Biuro, pokój 12",
        "email": "alicja@example.com",
        "description": "Linia główna biura.\nDruga linia opisu.",
    }
    data.update(overrides)
    return data


def reload(account: Account) -> Account:
    return Account.objects.select_related("user").get(pk=account.pk)


def test_it_sends_anonymous_visitors_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_does_not_save_for_anonymous_visitors(client, alice):
    response = client.post(URL, form_data(company_name="Włamanie"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert reload(alice).company_name == ""


def test_it_sends_staff_without_an_account_to_the_admin(client, staff):
    client.force_login(staff)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_it_shows_every_seed_field_in_its_group_in_polish(alice_client):
    response = alice_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for label in (
        "Ogólne",
        "Ustawienia",
        "Zmień hasło",
        "Informacje osobiste",
        "Nazwa firmy",
        "Pani/Pan",
        "Imię",
        "Drugie imię",
        "Nazwisko",
        "Informacje adresowe",
        "Powiat",
        "Województwo",
        "Kod pocztowy",
        "Miasto",
        "Państwo",
        "Informacje kontaktowe",
        "Kontakt",
        "Telefon",
        "Faks",
        "Dodatkowy telefon",
        "Dodatkowy kontakt",
        "E-mail",
        "Inne informacje",
        "Opis",
        "Zapisz",
    ):
        assert label in page, label


def test_it_shows_the_header_tab_as_active(alice_client):
    response = alice_client.get(URL)
    assert 'aria-current="page" href="/profile/">Mój profil</a>' in response.content.decode()


def test_it_fills_the_form_with_the_owners_data(alice_client, alice):
    alice.city = "Kraków"
    alice.phone = "+48221234567"
    alice.save()
    response = alice_client.get(URL)
    form = response.context["form"]
    assert form["first_name"].value() == "Alicja"
    assert form["city"].value() == "Kraków"
    assert form["phone"].value() == "+48221234567"
    assert form["email"].value() == "telekonferencja_48223809888@example.com"
    assert form["country"].value() == "PL"


def test_it_loads_the_page_in_a_fixed_number_of_queries(
    alice_client, django_assert_max_num_queries
):
    # The session and the user with the account; nothing per field or per country.
    with django_assert_max_num_queries(3):
        assert alice_client.get(URL).status_code == 200


def test_it_never_shows_another_accounts_data(alice_client, bob):
    # The profile pages have no object IDs in their URLs, so there is nothing of bob's to ask
    # for by number: the page is always the signed-in customer's own.
    bob.company_name = "Obca Firma Bob"
    bob.phone = "+48229999999"
    bob.save()
    page = alice_client.get(URL).content.decode()
    assert "Obca Firma Bob" not in page
    assert "+48229999999" not in page
    assert bob.user.email not in page


def test_it_rejects_other_methods(alice_client):
    assert alice_client.put(URL).status_code == 405
    assert alice_client.delete(URL).status_code == 405


def test_it_saves_every_field_and_normalises_numbers(alice_client, alice):
    response = alice_client.post(URL, form_data(), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Twój profil został zapisany." in response.content.decode()
    alice = reload(alice)
    assert alice.company_name == "Nowak Telekom sp. z o.o."
    assert alice.salutation == "Pani"
    assert (alice.first_name, alice.middle_name, alice.last_name) == ("Alicja", "Maria", "Nowak")
    assert (alice.county, alice.province, alice.city) == ("Warszawa", "mazowieckie", "Warszawa")
    assert (alice.postal_code, alice.country) == ("00-950", "PL")
    assert alice.contact_person == "Jan Kowalski"
    assert alice.phone == "+48221234567"
    assert alice.fax == "+48221234568"
    assert alice.alt_phone == "+48501234567"
    assert alice.alt_contact == "Biuro, pokój 12"
    assert alice.user.email == "alicja@example.com"
    assert alice.description == "Linia główna biura.\nDruga linia opisu."


def test_it_leaves_another_account_untouched(alice_client, bob):
    alice_client.post(URL, form_data())
    bob = reload(bob)
    assert bob.company_name == ""
    assert bob.first_name == "Bob"
    assert bob.user.email == "telekonferencja_48223809889@example.com"


def test_it_accepts_foreign_numbers_in_international_form(alice_client, alice):
    alice_client.post(URL, form_data(phone="+1 212 555 0100", fax="0049 30 1234567"))
    alice = reload(alice)
    assert alice.phone == "+12125550100"
    assert alice.fax == "+49301234567"


def test_it_normalises_a_polish_postal_code_and_province(alice_client, alice):
    alice_client.post(URL, form_data(postal_code="00950", province="Woj. Łódzkie"))
    alice = reload(alice)
    assert alice.postal_code == "00-950"
    assert alice.province == "łódzkie"


def test_it_accepts_a_province_typed_without_polish_letters(alice_client, alice):
    alice_client.post(URL, form_data(province="swietokrzyskie"))
    assert reload(alice).province == "świętokrzyskie"


def test_it_accepts_foreign_postal_codes_and_regions(alice_client, alice):
    alice_client.post(
        URL, form_data(country="GB", postal_code="SW1A 1AA", province="Greater London")
    )
    alice = reload(alice)
    assert (alice.country, alice.postal_code, alice.province) == (
        "GB",
        "SW1A 1AA",
        "Greater London",
    )


def test_it_audits_only_the_fields_that_changed(alice_client, alice):
    alice_client.post(URL, form_data())
    AuditEvent.objects.all().delete()

    alice_client.post(URL, form_data(city="Gdańsk", email="nowy@example.com"))

    event = AuditEvent.objects.get()
    assert event.kind == "profile.change"
    assert event.account == alice
    assert event.actor == alice.user
    assert sorted(event.data["fields"]) == ["city", "email"]


def test_it_writes_no_audit_event_when_nothing_changed(alice_client):
    alice_client.post(URL, form_data())
    AuditEvent.objects.all().delete()

    response = alice_client.post(URL, form_data(phone="+48 22 123 45 67"), follow=True)

    assert "Twój profil został zapisany." in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_the_dashboard_shows_the_country_in_the_interface_language(alice_client, alice):
    alice_client.post(URL, form_data(country="DE", postal_code="10115", province="Berlin"))
    assert "Niemcy" in alice_client.get("/").content.decode()

    Account.objects.filter(pk=alice.pk).update(language="en")
    assert "Germany" in alice_client.get("/").content.decode()


def test_it_lists_countries_in_the_interface_language_with_poland_first(alice_client, alice):
    choices = list(alice_client.get(URL).context["form"].fields["country"].choices)
    assert choices[1] == ("PL", "Polska")
    assert ("DE", "Niemcy") in choices

    Account.objects.filter(pk=alice.pk).update(language="en")
    choices = list(alice_client.get(URL).context["form"].fields["country"].choices)
    assert ("DE", "Germany") in choices


# Bad input: the form again, errors at the field and in the summary, nothing saved.


def assert_rejected(response, field: str, message: str) -> None:
    assert response.status_code == 200
    form = response.context["form"]
    assert message in form.errors[field], form.errors
    page = response.content.decode()
    summary = page.split('data-testid="error-summary"', 1)[1].split("</div>", 1)[0]
    assert f'href="#id_{field}"' in summary


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "alicja@", "Wpisz adres e-mail w postaci nazwa@example.com."),
        ("email", "", "Wpisz swój adres e-mail."),
        (
            "phone",
            "12",
            "Wpisz numer telefonu z numerem kierunkowym, np. 22 123 45 67, albo w postaci "
            "międzynarodowej, np. +48 22 123 45 67.",
        ),
        (
            "fax",
            "telefon",
            "Wpisz numer telefonu z numerem kierunkowym, np. 22 123 45 67, albo w postaci "
            "międzynarodowej, np. +48 22 123 45 67.",
        ),
        (
            "alt_phone",
            "+48 12 000 00 00 00",
            "Wpisz numer telefonu z numerem kierunkowym, np. 22 123 45 67, albo w postaci "
            "międzynarodowej, np. +48 22 123 45 67.",
        ),
        (
            "phone",
            "+48 99 123 45 67",
            "Taki numer nie istnieje w planie numeracji swojego kraju. Sprawdź cyfry i prefiks kraju.",
        ),
        ("phone", "22 123 45 67 ext. 12", "Wpisz numer bez numeru wewnętrznego."),
        ("postal_code", "123", "Wpisz polski kod pocztowy w postaci 00-000, np. 00-950."),
        ("postal_code", "00-95O", "Wpisz polski kod pocztowy w postaci 00-000, np. 00-950."),
        ("province", "Bawaria", "Wybierz jedno z 16 województw, np. mazowieckie."),
        (
            "country",
            "XX",
            "Wybierz poprawną wartość. XX nie jest żadną z dostępnych opcji.",
        ),
        (
            "company_name",
            "A" * 201,
            "Upewnij się, że ta wartość ma co najwyżej 200 znaków (obecnie ma 201).",
        ),
        (
            "description",
            "x" * 2001,
            "Upewnij się, że ta wartość ma co najwyżej 2000 znaków (obecnie ma 2001).",
        ),
        ("county", "Warsz\x00awa", "Znaki null są niedozwolone."),
        (
            "last_name",
            "Nowak\nKowalska",
            "Usuń z tego pola znaki sterujące (np. tabulatory lub znaki nowego wiersza).",
        ),
    ],
)
def test_it_rejects_bad_input_and_saves_nothing(alice_client, alice, field, value, message):
    response = alice_client.post(URL, form_data(city="Gdańsk", **{field: value}))

    assert_rejected(response, field, message)
    alice = reload(alice)
    assert alice.city == ""  # the valid fields were not saved either
    assert alice.user.email == "telekonferencja_48223809888@example.com"
    assert not AuditEvent.objects.exists()


def test_it_rejects_a_foreign_postal_code_with_odd_characters(alice_client):
    response = alice_client.post(URL, form_data(country="DE", postal_code="10115!", province=""))
    assert_rejected(
        response,
        "postal_code",
        "Kod pocztowy może zawierać tylko litery, cyfry, spacje i łączniki.",
    )


def test_it_keeps_what_the_customer_typed_when_a_field_is_wrong(alice_client):
    response = alice_client.post(URL, form_data(email="zły adres", city="Zielona Góra"))
    page = response.content.decode()
    assert 'value="Zielona Góra"' in page
    assert 'value="zły adres"' in page
    assert 'value="22 123 45 67"' in page


def test_it_saves_unicode_and_shows_html_as_text(alice_client, alice):
    response = alice_client.post(
        URL,
        form_data(
            company_name="<script>alert(1)</script> Żółć 東京 🚀",
            description="<b>pogrubione</b> & ‘cudzysłów’",
        ),
        follow=True,
    )
    alice = reload(alice)
    assert alice.company_name == "<script>alert(1)</script> Żółć 東京 🚀"
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Żółć 東京 🚀" in page
    assert "<b>pogrubione</b>" not in page


def test_missing_optional_fields_are_saved_as_empty(alice_client, alice):
    alice.city = "Kraków"
    alice.save()
    response = alice_client.post(URL, {"email": "alicja@example.com"})
    assert response.status_code == 302
    alice = reload(alice)
    assert alice.city == ""
    assert alice.first_name == ""
    assert alice.country == ""


def test_repeated_values_for_one_field_do_not_break_the_page(alice_client, alice):
    data = form_data()
    data["phone"] = ["22 123 45 67", "nie numer"]
    data["country"] = ["PL", "DE"]
    response = alice_client.post(URL, data)
    # Django takes the last value of a repeated field, as a browser would never send two.
    assert_rejected(
        response,
        "phone",
        "Wpisz numer telefonu z numerem kierunkowym, np. 22 123 45 67, albo w postaci "
        "międzynarodowej, np. +48 22 123 45 67.",
    )


def test_it_shows_errors_in_english_for_an_english_account(alice_client, alice):
    Account.objects.filter(pk=alice.pk).update(language="en")
    response = alice_client.post(URL, form_data(postal_code="123"))
    assert "Enter a Polish postal code in the form 00-000, such as 00-950." in (
        response.content.decode()
    )


def test_it_refuses_a_post_without_the_csrf_token(client, alice):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice.user)
    response = csrf_client.post(URL, form_data(city="Gdańsk"))
    assert response.status_code == 403
    assert reload(alice).city == ""
