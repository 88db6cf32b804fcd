from __future__ import annotations

import pytest

from accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"


def test_the_user_list_finds_a_login(staff_client, alice, bob):
    html = staff_client.get(CHANGELIST, {"q": "48223809889"}).content.decode()
    assert f"/admin/accounts/user/{bob.user.pk}/change/" in html
    assert f"/admin/accounts/user/{alice.user.pk}/change/" not in html


def test_setting_a_customers_password_is_audited_on_the_account(staff_client, alice):
    response = staff_client.post(
        f"{CHANGELIST}{alice.user.pk}/password/",
        {"password1": "Nowe-Haslo-2026!", "password2": "Nowe-Haslo-2026!"},
    )
    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.check_password("Nowe-Haslo-2026!")
    event = AuditEvent.objects.get(kind="user.password_set")
    assert event.account == alice and event.actor_label == "helpdesk"


def test_a_mismatched_password_changes_nothing(staff_client, alice):
    response = staff_client.post(
        f"{CHANGELIST}{alice.user.pk}/password/",
        {"password1": "Nowe-Haslo-2026!", "password2": "Inne-Haslo-2026!"},
    )
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(kind="user.password_set").exists()


def test_staff_changes_to_a_user_are_audited_without_secrets(staff_client, alice):
    user = alice.user
    response = staff_client.post(
        f"{CHANGELIST}{user.pk}/change/",
        {
            "username": user.username,
            "email": "inny@example.com",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(kind="user.update")
    assert event.account == alice
    assert event.data["email"][1] == "inny@example.com"
    assert "Tajne" not in str(event.data)


# A superuser: adding users (staff among them) is kept from the help desk on purpose
# (accounts/help_desk.py; tests/accounts/test_admin_help_desk.py shows the 403).
def test_adding_a_staff_user_is_audited(admin_client):
    response = admin_client.post(
        f"{CHANGELIST}add/",
        {
            "username": "pomoc2",
            "password1": "Nowe-Haslo-2026!",
            "password2": "Nowe-Haslo-2026!",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(username="pomoc2").exists()
    event = AuditEvent.objects.get(kind="user.create")
    assert event.account is None and event.actor_label == "admin"
    assert "Nowe-Haslo" not in str(event.data)
