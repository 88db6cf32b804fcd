"""Voicemail in the operator's admin.

Messages and greetings come only from `manage.py import_voicemail`; staff may read and delete
them, not add or edit them. Every change goes through `centrex.voicemail.services`, which writes the audit trail.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from centrex.voicemail.models import (
    DeletedVoicemail,
    MailboxSettings,
    VoicemailGreeting,
    VoicemailMessage,
)
from centrex.voicemail.services import (
    allow_reimport,
    clear_pin,
    delete_greeting,
    delete_message,
    save_settings,
)


@admin.register(MailboxSettings)
class MailboxSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "account",
        "notification_email",
        "email_mode",
        "delete_after_email",
        "greeting",
        "pin_set",
        "updated_at",
    ]
    list_filter = ["email_mode", "delete_after_email", "greeting"]
    list_select_related = ["account"]
    search_fields = [
        "account__account_id",
        "account__user__username",
        "account__mailbox",
        "notification_email",
    ]
    raw_id_fields = ["account"]
    fields = [
        "account",
        "notification_email",
        "email_mode",
        "delete_after_email",
        "greeting",
        "pin_set",
        "pin_changed_at",
    ]
    readonly_fields = ["pin_set", "pin_changed_at"]
    actions = ["clear_pins"]

    @admin.display(boolean=True, description=_("PIN set"))
    def pin_set(self, obj: MailboxSettings) -> bool:
        return obj.has_pin

    def save_model(self, request, obj, form, change):
        save_settings(obj, request=request)

    @admin.action(description=_("Clear the PIN (the customer sets a new one in the portal)"))
    def clear_pins(self, request, queryset):
        for obj in queryset.select_related("account"):
            clear_pin(obj.account, request=request)


@admin.register(VoicemailMessage)
class VoicemailMessageAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "account",
        "folder",
        "caller_name",
        "caller_number",
        "duration",
        "heard",
    ]
    list_filter = ["folder", "heard"]
    list_select_related = ["account"]
    search_fields = [
        "account__account_id",
        "account__mailbox",
        "caller_name",
        "caller_number",
        "msg_id",
    ]
    date_hierarchy = "received_at"
    readonly_fields = [f.name for f in VoicemailMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        delete_message(obj, request=request)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("account"):
            delete_message(obj, request=request)


@admin.register(DeletedVoicemail)
class DeletedVoicemailAdmin(admin.ModelAdmin):
    """Ids the import skips. Deleting one lets the next import bring that message back."""

    list_display = ["deleted_at", "account", "msg_id", "reason"]
    list_filter = ["reason"]
    list_select_related = ["account"]
    search_fields = ["account__account_id", "account__mailbox", "msg_id"]
    readonly_fields = ["account", "msg_id", "reason", "deleted_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        allow_reimport(obj, request=request)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("account"):
            allow_reimport(obj, request=request)


@admin.register(VoicemailGreeting)
class VoicemailGreetingAdmin(admin.ModelAdmin):
    """The greetings as the last import found them on the switch. A deleted one comes back with
    the next import while the switch still holds it (callers still hear it)."""

    list_display = ["account", "kind", "duration", "original_format", "recorded_at", "imported_at"]
    list_filter = ["kind"]
    list_select_related = ["account"]
    search_fields = ["account__account_id", "account__user__username", "account__mailbox"]
    readonly_fields = [f.name for f in VoicemailGreeting._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        delete_greeting(obj, request=request)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("account"):
            delete_greeting(obj, request=request)
