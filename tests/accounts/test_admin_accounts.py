from __future__ import annotations

import re
from decimal import Decimal

import pytest

from accounts.ledger.services import change_balance
from accounts.models import Account, AuditEvent, BalanceEntry, User
from accounts.provisioning import set_status
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/account/"


def make_accounts(count: int) -> list[Account]:
    """Many accounts quickly: no password hashing (they never sign in here)."""
    accounts = []
    for n in range(count):
        user = User.objects.create(username=f"konto_{n:04d}", email=f"konto{n}@example.com")
        accounts.append(
            Account.objects.create(
                user=user,
                account_id=f"konto_{n:04d}",
                company_name=f"Firma {n}",
                phone=f"+4822{n:07d}",
            )
        )
    return accounts


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_customers_are_not_let_in(alice_client):
    response = alice_client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_list_shows_accounts_in_polish_with_a_constant_number_of_queries(
    staff_client, django_assert_max_num_queries
):
    make_accounts(50)
    with django_assert_max_num_queries(5 + 2):  # + 2: the staff user's and its groups' permissions
        response = staff_client.get(CHANGELIST)
    html = response.content.decode()
    assert html.count('class="action-select"') == 50
    assert "Firma 49" in html
    assert "Zablokuj zaznaczone konta" in html


@pytest.mark.parametrize("language", ["pl", "en"])
def test_each_rows_checkbox_is_the_one_django_writes(language):
    # AuditedAdmin writes the checkbox itself (accounts.admin.base): the same markup as
    # Django's CheckboxInput, the object's name escaped once in its label.
    from django.contrib import admin
    from django.utils import translation

    class Named:
        pk = 7

        def __str__(self) -> str:
            return 'Firma "<b>&"'

    account_admin = admin.site._registry[Account]
    with translation.override(language):
        ours = account_admin.action_checkbox(Named())
        djangos = admin.ModelAdmin.action_checkbox(account_admin, Named())
    assert ours == djangos
    assert "Firma &quot;&lt;b&gt;&amp;&quot;" in ours and 'value="7"' in ours


def test_the_list_has_a_checkbox_for_each_account(staff_client):
    from django.contrib import admin

    account = make_accounts(1)[0]
    checkbox = admin.ModelAdmin.action_checkbox(admin.site._registry[Account], account)
    assert checkbox in staff_client.get(CHANGELIST).content.decode()


def test_the_list_shows_login_name_balance_status_and_features(staff_client, alice):
    alice.call_screening_enabled = True
    alice.voicemail_enabled = True
    alice.balance = Decimal("-12.50")
    alice.save()
    html = staff_client.get(CHANGELIST).content.decode()
    table = html.split('id="result_list"', 1)[1].split("</thead>", 1)[0]
    headers = re.findall(r'<th scope="col"[^>]*>.*?<(?:a|span)[^>]*>([^<]+)<', table, re.S)
    assert [h.strip() for h in headers] == ["Login", "Nazwa", "Saldo", "Stan", "Funkcje"]
    assert "-12,50 PLN" in html or "−12,50 PLN" in html
    assert "Selektywne kierowanie połączeń, Poczta głosowa" in html


@pytest.mark.parametrize(
    "search",
    ["telekonferencja_48223809888", "alice@example.org", "Nowak", "22 380-98 88", "+48223809888"],
)
def test_staff_find_an_account_by_login_email_name_or_phone(staff_client, alice, bob, search):
    alice.user.email = "alice@example.org"
    alice.user.save()
    alice.phone = "+48223809888"
    alice.save()
    html = staff_client.get(CHANGELIST, {"q": search}).content.decode()
    assert f"/admin/accounts/account/{alice.pk}/change/" in html
    assert f"/admin/accounts/account/{bob.pk}/change/" not in html


def test_phone_search_keeps_the_other_filters(staff_client, alice, bob):
    for account in (alice, bob):
        account.phone = "+48223809888"
        account.save()
    set_status(bob, Account.Status.BLOCKED)
    html = staff_client.get(CHANGELIST, {"q": "22 380 98 88", "status__exact": "active"}).content
    assert f"/admin/accounts/account/{alice.pk}/change/".encode() in html
    assert f"/admin/accounts/account/{bob.pk}/change/".encode() not in html


def test_the_balance_below_zero_filter_shows_only_accounts_in_debt(staff_client, alice, bob):
    change_balance(bob, Decimal("-5.00"), BalanceEntry.Kind.ADJUSTMENT, "test")
    html = staff_client.get(CHANGELIST, {"balance": "below_zero"}).content.decode()
    assert f"/admin/accounts/account/{bob.pk}/change/" in html
    assert f"/admin/accounts/account/{alice.pk}/change/" not in html


def test_the_feature_filter_shows_only_accounts_with_the_feature(staff_client, alice, bob):
    alice.voicemail_enabled = True
    alice.save()
    html = staff_client.get(CHANGELIST, {"voicemail_enabled__exact": "1"}).content.decode()
    assert f"/admin/accounts/account/{alice.pk}/change/" in html
    assert f"/admin/accounts/account/{bob.pk}/change/" not in html


def test_the_account_page_shows_user_contact_settings_features_and_history(
    staff_client, alice, django_assert_max_num_queries
):
    change_balance(alice, Decimal("12.50"), BalanceEntry.Kind.TOP_UP, "Przelew 24.11")
    # + 2: the staff user's and its groups' permissions; + 1: the telephone numbers inline;
    # + 1: the registered phones (the proxy's `location`)
    with django_assert_max_num_queries(6 + 2 + 1 + 1):
        response = staff_client.get(f"{CHANGELIST}{alice.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("Użytkownik", "Informacje kontaktowe", "Ustawienia", "Funkcje i limity"):
        assert heading in html
    assert 'name="balance"' not in html  # read-only
    assert "12,50 PLN" in html
    assert "Przelew 24.11" in html  # the latest ledger entries
    assert f"/admin/accounts/balanceentry/?account__id__exact={alice.pk}" in html
    assert f"/admin/accounts/auditevent/?account__id__exact={alice.pk}" in html
    assert f"/admin/accounts/account/{alice.pk}/adjust-balance/" in html


def test_staff_changes_are_saved_and_audited_with_the_staff_name(staff_client, alice):
    response = staff_client.post(
        f"{CHANGELIST}{alice.pk}/change/",
        factories.admin_account_form(
            alice,
            email="nowy@example.com",
            voicemail_enabled="on",
            credit_limit="100.00",
            balance="999.00",
        ),
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    alice.user.refresh_from_db()
    assert alice.user.email == "nowy@example.com"
    assert alice.voicemail_enabled is True
    assert alice.credit_limit == Decimal("100.00")
    assert alice.balance == Decimal("0.00")  # the balance is never edited by hand
    event = AuditEvent.objects.get(kind="account.update")
    assert event.account == alice
    assert event.actor_label == "helpdesk" and event.actor_kind == "staff"
    assert event.data["email"] == ["telekonferencja_48223809888@example.com", "nowy@example.com"]
    # Features and limits change as the set_features command changes them: one event kind.
    features = AuditEvent.objects.get(kind="account.features")
    assert features.actor_label == "helpdesk" and features.account == alice
    assert features.data == {"voicemail_enabled": ["no", "yes"], "credit_limit": ["0.00", "100.00"]}


def test_a_saved_change_is_confirmed_in_konto_s_own_words(staff_client, alice):
    response = staff_client.post(
        f"{CHANGELIST}{alice.pk}/change/",
        factories.admin_account_form(alice, credit_limit="1 234,50"),
        follow=True,
    )
    message = re.search(r'<li class="success">(.*?)</li>', response.content.decode()).group(1)
    assert (
        re.sub(r"<[^>]+>", "", message) == "Zapisano zmiany: konto „telekonferencja_48223809888”."
    )
    alice.refresh_from_db()
    assert alice.credit_limit == Decimal("1234.50")  # typed as it is shown, with a comma


def test_the_page_starts_with_status_features_and_limits_and_offers_countries(staff_client, alice):
    html = staff_client.get(f"{CHANGELIST}{alice.pk}/change/").content.decode()
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", html.split('id="account_form"', 1)[1])
    assert headings[:3] == ["Użytkownik", "Funkcje i limity", "Saldo"]
    country = html.split('name="country"', 1)[1].split("</select>", 1)[0]
    assert '<option value="PL" selected>Polska</option>' in country
    assert ">Niemcy</option>" in country


def test_blocking_on_the_account_page_goes_through_set_status(staff_client, alice):
    staff_client.post(
        f"{CHANGELIST}{alice.pk}/change/", factories.admin_account_form(alice, status="blocked")
    )
    alice.refresh_from_db()
    assert alice.is_blocked
    event = AuditEvent.objects.get(kind="account.status")
    assert event.data == {"old": "active", "new": "blocked"}
    assert event.actor_label == "helpdesk"


def test_an_invalid_change_shows_the_form_again_with_the_error(staff_client, alice):
    response = staff_client.post(
        f"{CHANGELIST}{alice.pk}/change/", factories.admin_account_form(alice, credit_limit="-5")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["credit_limit"]
    alice.refresh_from_db()
    assert alice.credit_limit == Decimal("0.00")
    assert not AuditEvent.objects.filter(kind="account.update").exists()


def test_block_and_unblock_actions_are_audited(staff_client, alice, bob):
    staff_client.post(
        CHANGELIST, {"action": "block_accounts", "_selected_action": [alice.pk, bob.pk]}
    )
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.is_blocked and bob.is_blocked
    assert AuditEvent.objects.filter(kind="account.status", actor_label="helpdesk").count() == 2
    staff_client.post(CHANGELIST, {"action": "unblock_accounts", "_selected_action": [alice.pk]})
    alice.refresh_from_db()
    assert not alice.is_blocked


def test_the_password_reset_action_mails_the_customer_and_is_audited(
    staff_client, alice, bob, mailoutbox
):
    bob.user.email = ""
    bob.user.save()
    response = staff_client.post(
        CHANGELIST,
        {"action": "send_password_reset", "_selected_action": [alice.pk, bob.pk]},
        follow=True,
    )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [alice.user.email]
    assert "/password-reset/" in message.body
    assert "telekonferencja_48223809888" in message.body
    assert "telekonferencja_48223809889" in response.content.decode()  # no e-mail address
    event = AuditEvent.objects.get(kind="account.password_reset_sent")
    assert event.account == alice and event.actor_label == "helpdesk"


# A superuser: the help desk may not delete accounts (accounts/help_desk.py gives it view and
# change only; tests/accounts/test_admin_help_desk.py shows the 403).
def test_deleting_an_account_leaves_an_audit_event_naming_it(admin_client, bob):
    response = admin_client.post(f"{CHANGELIST}{bob.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Account.objects.filter(pk=bob.pk).exists()
    event = AuditEvent.objects.get(kind="account.delete")
    assert event.message == "telekonferencja_48223809889"
    assert event.actor_label == "admin"


# A superuser: the help desk may not add accounts (no accounts.add_account in
# accounts/help_desk.py; customers come from the import and provisioning).
def test_staff_add_an_account_for_an_existing_user_and_it_is_audited(admin_client):
    user = factories.make_user("telekonferencja_48220000001")
    response = admin_client.post(
        f"{CHANGELIST}add/",
        {
            "user": user.pk,
            "email": user.email,
            "account_id": "telekonferencja_48220000001",
            "status": "active",
            "currency": "PLN",
            "credit_limit": "0",
            "country": "PL",
            "time_zone": "Europe/Warsaw",
            "language": "pl",
            "max_conference_participants": 10,
            "max_concurrent_conferences": 3,
            **factories.phone_number_formset(),
        },
    )
    assert response.status_code == 302
    account = Account.objects.get(account_id="telekonferencja_48220000001")
    assert AuditEvent.objects.get(kind="account.create").account == account
