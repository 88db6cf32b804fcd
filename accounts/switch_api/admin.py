"""Switch tokens in the staff's admin: who may call the switch API, since when, last seen.

A token cannot be read back (only its hash is stored, and not shown either) nor made here:
`manage.py switch_token create NAME` prints a new one once. Staff revoke tokens with the
action; revoking is audited, and a revoked token is kept for the record, never deleted.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.switch_api.models import SwitchToken
from accounts.switch_api.tokens import revoke_token


@admin.register(SwitchToken)
class SwitchTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at", "last_used_at", "active"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    fields = ("name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("name", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    @admin.display(boolean=True, description=_("active"))
    def active(self, obj: SwitchToken) -> bool:
        return obj.is_active

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SwitchToken | None = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected switch tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[SwitchToken]) -> None:
        revoked = sum(revoke_token(token, request=request) for token in queryset)
        self.message_user(
            request,
            ngettext("%(count)d switch token revoked.", "%(count)d switch tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
