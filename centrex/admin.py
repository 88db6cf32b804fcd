"""IP Centrex in the operator's admin. Every change made here is audited like the customer's."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts import audit
from centrex import screening, voicemail
from centrex.models.screening import ScreeningRule, ScreeningSettings
from centrex.models.voicemail import DeletedVoicemail, MailboxSettings, VoicemailMessage
from centrex.screening.forms import RuleAdminForm

# --- call screening --------------------------------------------------------------------------


@admin.register(ScreeningSettings)
class ScreeningSettingsAdmin(admin.ModelAdmin):
    list_display = ["account", "enabled", "updated_at"]
    list_filter = ["enabled"]
    list_select_related = ["account"]
    search_fields = ["account__account_id", "account__user__username", "account__company_name"]
    raw_id_fields = ["account"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or "enabled" in form.changed_data:
            audit.record(
                "screening.switched_on" if obj.enabled else "screening.switched_off",
                account=obj.account,
                request=request,
                message="Call screening switched on"
                if obj.enabled
                else "Call screening switched off",
            )

    def delete_model(self, request, obj):
        account = obj.account
        super().delete_model(request, obj)
        audit.record(
            "screening.settings_deleted",
            account=account,
            request=request,
            message="Call screening settings reset to the defaults",
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("account"):
            self.delete_model(request, obj)


@admin.register(ScreeningRule)
class ScreeningRuleAdmin(admin.ModelAdmin):
    form = RuleAdminForm
    list_display = ["name", "account", "position", "enabled", "action", "is_blocklist"]
    list_filter = ["enabled", "action", "is_blocklist"]
    list_select_related = ["account"]
    search_fields = [
        "name",
        "caller_patterns",
        "forward_to",
        "account__account_id",
        "account__user__username",
    ]
    raw_id_fields = ["account"]
    readonly_fields = ["is_blocklist", "created_at", "updated_at"]
    ordering = ["account__account_id", "position", "id"]
    fieldsets = [
        (None, {"fields": ["account", "position", "enabled", "name", "is_blocklist"]}),
        (None, {"fields": ["caller_patterns", "called_number"]}),
        (None, {"fields": ["window", "week_days", "time_from", "time_to"]}),
        (None, {"fields": ["action", "forward_to", "ring_seconds"]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        if change:
            # The same audited save as the customer's (it records what changed).
            screening.save_rule(obj, request=request)
            return
        super().save_model(request, obj, form, change)
        audit.record(
            "screening.rule_created",
            account=obj.account,
            request=request,
            message=f"Call screening rule “{obj.name}” created",
            rule=obj.pk,
            **screening.rule_snapshot(obj),
        )

    def delete_model(self, request, obj):
        screening.delete_rule(obj, request=request)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("account"):
            screening.delete_rule(obj, request=request)


# --- voicemail -------------------------------------------------------------------------------
# Messages come only from `manage.py import_voicemail`; staff may read and delete them, not
# add or edit them. Every change goes through centrex.voicemail, which writes the audit trail.


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
        voicemail.save_settings(obj, form.changed_data, request=request)

    @admin.action(description=_("Clear the PIN (the customer sets a new one in the portal)"))
    def clear_pins(self, request, queryset):
        for obj in queryset.select_related("account"):
            voicemail.clear_pin(obj.account, request=request)


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
        voicemail.delete_message(obj, request=request)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("account"):
            voicemail.delete_message(obj, request=request)


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
        super().delete_model(request, obj)
        audit.record(
            "voicemail.reimport_allowed",
            account=obj.account,
            request=request,
            message="Deleted voicemail message may be imported again",
            msg_id=obj.msg_id,
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("account"):
            self.delete_model(request, obj)
