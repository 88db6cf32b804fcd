from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.help_desk import HELP_DESK_GROUP, help_desk_codenames

pytestmark = pytest.mark.django_db


def test_the_group_has_exactly_the_listed_permissions_after_migrate():
    group = Group.objects.get(name=HELP_DESK_GROUP)
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert granted == help_desk_codenames()


def test_a_later_migrate_puts_the_permissions_back_in_step():
    group = Group.objects.get(name=HELP_DESK_GROUP)
    group.permissions.clear()
    call_command("migrate", verbosity=0)
    assert group.permissions.count() == len(help_desk_codenames())


def test_it_gives_no_power_over_staff_or_permissions():
    codenames = {codename for _app, codename in help_desk_codenames()}
    assert not codenames & {"add_user", "delete_user", "change_group", "change_permission"}
    assert not codenames & {"change_balanceentry", "change_callrecord", "change_auditevent"}
