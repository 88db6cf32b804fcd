"""The "Help desk" group: what operator staff need to look after customers in the admin, and no
more (no users of staff, no permissions, no editing of history).

Kept in step with this list after every `migrate` (see AccountsConfig.ready), so a new
installation has the group and an upgrade gives it the permissions of new screens. Staff who
need more are made superusers on purpose.
"""

from __future__ import annotations

from typing import Any

HELP_DESK_GROUP = "Help desk"

# app label → model → actions ("view", "add", "change", "delete").
HELP_DESK_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "accounts": {
        # Change: contact data, features and limits, block/unblock, top-ups, password e-mails.
        "account": ("view", "change"),
        # A customer's login and password; the admin's user list is for staff's own accounts too.
        "user": ("view", "change"),
        "balanceentry": ("view",),
        "callrecord": ("view",),
        # The numbers an account answers on: staff assign them as customers port or buy them.
        "phonenumber": ("view", "add", "change", "delete"),
        "auditevent": ("view",),
        "huntgroup": ("view", "add", "change", "delete"),
        "huntgroupmembership": ("view", "add", "change", "delete"),
    },
    "centrex": {
        "screeningsettings": ("view", "add", "change", "delete"),
        "screeningrule": ("view", "add", "change", "delete"),
        "mailboxsettings": ("view", "add", "change"),
        "voicemailmessage": ("view", "delete"),
        "deletedvoicemail": ("view", "delete"),
        "voicemailgreeting": ("view", "delete"),
    },
    "conferences": {
        # Change is what ending a conference now needs; staff do not edit conferences.
        "conference": ("view", "change", "delete"),
        "accesscode": ("view",),
        "invitee": ("view",),
    },
}


def help_desk_codenames() -> set[tuple[str, str]]:
    """(app label, codename) of every permission of the group."""
    return {
        (app_label, f"{action}_{model}")
        for app_label, models in HELP_DESK_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    }


def sync_help_desk_group(**kwargs: Any) -> None:
    """Create the group or bring its permissions in step with HELP_DESK_PERMISSIONS."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    wanted = Q(pk__in=[])
    for app_label, codename in help_desk_codenames():
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group, _created = Group.objects.get_or_create(name=HELP_DESK_GROUP)
    group.permissions.set(Permission.objects.filter(wanted))
