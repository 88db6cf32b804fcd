from __future__ import annotations

import pytest

from accounts import audit
from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/auditevent/"


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    assert client.get(CHANGELIST)["Location"].startswith("/admin/login/")


def test_the_audit_trail_lists_events_in_a_constant_number_of_queries(
    staff_client, alice, bob, django_assert_max_num_queries
):
    for n in range(25):
        audit.record("profile.update", account=alice, actor=alice.user, message=f"Zmiana {n}")
        audit.record("account.status", account=bob, actor="manage.py set_status")
    with django_assert_max_num_queries(6 + 2):  # + 2: the staff user's and its groups' permissions
        response = staff_client.get(CHANGELIST)
    html = response.content.decode()
    assert "Zmiana 24" in html and "manage.py set_status" in html
    assert "polecenie operatora" in html  # the actor kind, in Polish


def test_staff_filter_the_trail_by_account_and_kind(staff_client, alice, bob):
    audit.record("profile.update", account=alice, message="Alicja profil")
    audit.record("account.status", account=alice, message="Alicja status")
    audit.record("profile.update", account=bob, message="Bob profil")
    html = staff_client.get(
        CHANGELIST, {"account__id__exact": alice.pk, "kind": "profile.update"}
    ).content.decode()
    assert "Alicja profil" in html
    assert "Alicja status" not in html and "Bob profil" not in html


def test_staff_find_events_by_login(staff_client, alice, bob):
    audit.record("profile.update", account=alice, message="Alicja profil")
    audit.record("profile.update", account=bob, message="Bob profil")
    html = staff_client.get(CHANGELIST, {"q": alice.user.username}).content.decode()
    assert "Alicja profil" in html and "Bob profil" not in html


# A superuser, who holds every permission: only the admin's own refusal can give these 403s
# (the help desk lacks the permissions anyway, see test_admin_help_desk.py).
def test_the_trail_cannot_be_edited(admin_client, alice):
    event = audit.record("profile.update", account=alice, message="x")
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    response = admin_client.post(f"{CHANGELIST}{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def _kinds_written_by_the_code() -> set[str]:
    """Every audit kind the project's code writes: the constant first arguments of
    audit.record()/record_changes() (both branches of a conditional), and `kind=` constants."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    kinds: set[str] = set()
    for path in root.glob("*/**/*.py"):
        if {".venv", "tests", "migrations", "var"} & set(path.relative_to(root).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            values = []
            if name in ("record", "record_changes") and node.args:
                values.append(node.args[0])
            values += [kw.value for kw in node.keywords if kw.arg == "kind"]
            for value in values:
                options = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
                kinds |= {
                    option.value
                    for option in options
                    if isinstance(option, ast.Constant)
                    and isinstance(option.value, str)
                    and "." in option.value
                }
    return kinds


def test_every_kind_the_code_writes_has_words_for_it():
    from accounts.audit_kinds import DESCRIPTIONS
    from accounts.calls.switch_sync import SYNC_EVENT

    kinds = _kinds_written_by_the_code() | {SYNC_EVENT}
    assert len(kinds) > 40
    assert kinds - DESCRIPTIONS.keys() == set()


def test_the_trail_shows_what_happened_in_words(staff_client, alice):
    audit.record("security.two_step_on", account=alice, actor=alice.user)
    audit.record("screeningrule.update", account=alice, actor="helpdesk")
    html = staff_client.get(CHANGELIST).content.decode()
    assert "Włączono weryfikację dwuetapową" in html
    assert "Reguła selektywnego kierowania połączeń: zmieniono w panelu obsługi" in html
    assert ">security.two_step_on<" not in html
    filtered = staff_client.get(CHANGELIST, {"kind": "security.two_step_on"}).content.decode()
    assert "Włączono weryfikację dwuetapową" in filtered
    assert "zmieniono w panelu obsługi" not in filtered
