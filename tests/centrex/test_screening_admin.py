"""Call screening in the operator's admin: find rules, change them, and leave an audit trail."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from centrex.screening.decision import ordered_rules
from centrex.screening.models import ScreeningRule, ScreeningSettings
from tests.factories import enable_screening, make_rule

pytestmark = pytest.mark.django_db
RULES = "/admin/centrex/screeningrule/"


def admin_data(account, **overrides) -> dict:
    data = {
        "account": str(account.pk),
        "position": "0",
        "enabled": "on",
        "name": "Od operatora",
        "caller_patterns": "+4822%",
        "called_number": "",
        "window": "always",
        "time_from": "",
        "time_to": "",
        "action": "reject",
        "forward_to": "",
        "ring_seconds": "20",
    }
    data.update(overrides)
    return data


def test_customers_cannot_open_the_admin(alice_client):
    assert alice_client.get(RULES).status_code == 302


def test_staff_find_rules_by_account(staff_client, alice, bob, django_assert_max_num_queries):
    for n in range(10):
        make_rule(alice, "+4822%", name=f"Reguła Alicji {n}")
    make_rule(bob, "%", name="Reguła Boba")
    with django_assert_max_num_queries(10):
        response = staff_client.get(RULES, {"q": alice.account_id})
    html = response.content.decode()
    assert "Reguła Alicji 9" in html and "Reguła Boba" not in html


def test_a_rule_added_by_staff_is_audited(staff_client, staff, alice):
    response = staff_client.post(f"{RULES}add/", admin_data(alice))
    assert response.status_code == 302
    rule = ScreeningRule.objects.get()
    assert rule.account == alice and rule.patterns == ["+4822%"]
    event = AuditEvent.objects.get(kind="screening.rule_created")
    assert event.actor == staff and event.account == alice


def test_a_rule_changed_by_staff_is_audited(staff_client, staff, alice):
    rule = make_rule(alice, "+4822%", name="Stara")
    staff_client.post(f"{RULES}{rule.pk}/change/", admin_data(alice, name="Nowa"))
    rule.refresh_from_db()
    assert rule.name == "Nowa"
    event = AuditEvent.objects.get(kind="screening.rule_changed")
    assert event.actor == staff and event.data["changes"]["name"] == ["Stara", "Nowa"]


def test_staff_get_the_same_checks_as_customers(staff_client, alice):
    response = staff_client.post(
        f"{RULES}add/",
        admin_data(alice, caller_patterns="48%22", window="scheduled", action="forward"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"caller_patterns", "week_days", "forward_to"} <= set(errors)
    assert not ScreeningRule.objects.exists()


def test_a_rule_deleted_by_staff_is_audited(staff_client, staff, alice):
    rule = make_rule(alice, "+4822%")
    staff_client.post(f"{RULES}{rule.pk}/delete/", {"post": "yes"})
    assert not ScreeningRule.objects.exists()
    assert AuditEvent.objects.get(kind="screening.rule_deleted").actor == staff


def test_rules_deleted_in_bulk_by_staff_are_audited(staff_client, alice):
    rules = [make_rule(alice, "+4822%") for _ in range(3)]
    staff_client.post(
        RULES,
        {"action": "delete_selected", "_selected_action": [r.pk for r in rules], "post": "yes"},
    )
    assert not ScreeningRule.objects.exists()
    assert AuditEvent.objects.filter(kind="screening.rule_deleted").count() == 3


def test_the_master_switch_changed_by_staff_is_audited(staff_client, staff, alice):
    enable_screening(alice)
    settings = ScreeningSettings.objects.create(account=alice)
    staff_client.post(
        f"/admin/centrex/screeningsettings/{settings.pk}/change/", {"account": alice.pk}
    )
    settings.refresh_from_db()
    assert not settings.enabled
    event = AuditEvent.objects.get(kind="screening.switched_off")
    assert event.actor == staff and event.account == alice


def test_a_rule_added_by_staff_goes_to_the_end_of_the_list(staff_client, alice):
    for name in ("Pierwsza", "Druga", "Trzecia"):
        make_rule(alice, "+4822%", name=name)
    response = staff_client.post(f"{RULES}add/", admin_data(alice, name="Od operatora"))
    assert response.status_code == 302
    names = [rule.name for rule in ordered_rules(alice)]
    assert names == ["Pierwsza", "Druga", "Trzecia", "Od operatora"]


def test_saving_the_master_switch_unchanged_audits_nothing(staff_client, alice):
    settings = ScreeningSettings.objects.create(account=alice, enabled=True)
    response = staff_client.post(
        f"/admin/centrex/screeningsettings/{settings.pk}/change/", {"enabled": "on"}
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.exists()


def test_resetting_the_master_switch_goes_through_the_service(staff_client, staff, alice):
    settings = ScreeningSettings.objects.create(account=alice, enabled=False)
    response = staff_client.post(
        f"/admin/centrex/screeningsettings/{settings.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not ScreeningSettings.objects.exists()
    event = AuditEvent.objects.get(kind="screening.settings_reset")
    assert event.actor == staff and event.account == alice
