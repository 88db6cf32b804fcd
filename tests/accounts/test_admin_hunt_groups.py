from __future__ import annotations

import pytest

from accounts.models import AuditEvent, HuntGroup, HuntGroupMembership
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/huntgroup/"


def _inline(prefix="huntgroupmembership_set", total=1, initial=0, **rows) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    data.update({f"{prefix}-{key}": value for key, value in rows.items()})
    return data


def test_the_list_counts_members_in_polish(staff_client, alice, bob):
    factories.make_hunt_group(alice, bob, name="Biuro obsługi")
    response = staff_client.get(CHANGELIST)
    html = response.content.decode()
    assert "Biuro obsługi" in html
    assert "członkowie" in html.lower()


def test_staff_add_a_group_with_a_member_and_both_are_audited(staff_client, alice):
    response = staff_client.post(
        f"{CHANGELIST}add/",
        {"name": "Sprzedaż", "number": "+48221110000", **_inline(**{"0-account": alice.pk})},
    )
    assert response.status_code == 302
    group = HuntGroup.objects.get(name="Sprzedaż")
    assert list(group.members.all()) == [alice]
    assert AuditEvent.objects.get(kind="huntgroup.create").actor_label == "helpdesk"
    membership_event = AuditEvent.objects.get(kind="huntgroupmembership.create")
    assert membership_event.account == alice


def test_removing_a_member_is_audited_on_the_members_account(staff_client, alice):
    group = factories.make_hunt_group(alice, name="Sprzedaż", number="+48221110000")
    membership = HuntGroupMembership.objects.get(group=group)
    response = staff_client.post(
        f"{CHANGELIST}{group.pk}/change/",
        {
            "name": "Sprzedaż",
            "number": "+48221110000",
            **_inline(
                total=1,
                initial=1,
                **{
                    "0-id": membership.pk,
                    "0-group": group.pk,
                    "0-account": alice.pk,
                    "0-DELETE": "on",
                },
            ),
        },
    )
    assert response.status_code == 302
    assert not group.members.exists()
    assert AuditEvent.objects.get(kind="huntgroupmembership.delete").account == alice


def test_a_duplicate_number_shows_the_form_again_with_the_error(staff_client, alice):
    factories.make_hunt_group(name="Sprzedaż", number="+48221110000")
    response = staff_client.post(
        f"{CHANGELIST}add/", {"name": "Inna", "number": "+48221110000", **_inline(total=0)}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["number"]
    assert not AuditEvent.objects.exists()
