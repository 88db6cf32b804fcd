from __future__ import annotations

import pytest

from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db


def url(account) -> str:
    return f"/admin/accounts/account/{account.pk}/password-reset/"


def test_anonymous_visitors_are_sent_to_the_admin_login(client, alice, mailoutbox):
    response = client.post(url(alice))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert mailoutbox == []


def test_the_page_asks_before_sending_in_polish(staff_client, alice, mailoutbox):
    response = staff_client.get(url(alice))
    assert response.status_code == 200
    assert "Wyślij wiadomość" in response.content.decode()
    assert mailoutbox == []


def test_an_unknown_account_is_404(staff_client):
    assert staff_client.get("/admin/accounts/account/999999/password-reset/").status_code == 404


def test_other_methods_are_refused(staff_client, alice):
    assert staff_client.delete(url(alice)).status_code == 405


def test_sending_mails_a_working_reset_link_in_the_customers_language(
    staff_client, client, alice, mailoutbox
):
    alice.language = "en"
    alice.save()
    response = staff_client.post(url(alice))
    assert response["Location"] == f"/admin/accounts/account/{alice.pk}/change/"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [alice.user.email]
    assert "Someone asked to set a new password" in message.body
    link = next(word for word in message.body.split() if "/password-reset/" in word)
    path = link.split("testserver", 1)[1]
    staff_client.logout()
    page = client.get(path, follow=True)
    assert page.status_code == 200
    assert page.context["validlink"] is True
    event = AuditEvent.objects.get(kind="account.password_reset_sent")
    assert event.account == alice
    assert event.actor_label == "helpdesk"


def test_an_account_without_e_mail_gets_nothing_and_staff_are_told(staff_client, alice, mailoutbox):
    alice.user.email = ""
    alice.user.save()
    response = staff_client.post(url(alice), follow=True)
    assert mailoutbox == []
    assert "nie ma adresu e-mail" in response.content.decode()
    assert not AuditEvent.objects.filter(kind="account.password_reset_sent").exists()
