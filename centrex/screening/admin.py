"""Call screening in the operator's admin: the same services, checks and audit as the portal."""

from __future__ import annotations

from django.contrib import admin

from centrex.screening.forms import RuleAdminForm
from centrex.screening.models import ScreeningRule, ScreeningSettings
from centrex.screening.services import (
    delete_rule,
    reset_screening_settings,
    save_rule,
    set_screening_on,
)


@admin.register(ScreeningSettings)
class ScreeningSettingsAdmin(admin.ModelAdmin):
    list_display = ["account", "enabled", "updated_at"]
    list_filter = ["enabled"]
    list_select_related = ["account"]
    search_fields = ["account__account_id", "account__user__username", "account__company_name"]
    raw_id_fields = ["account"]

    def get_readonly_fields(self, request, obj=None):
        # The master switch belongs to its account for good.
        return ["account"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        set_screening_on(obj.account, obj.enabled, request=request)
        # The service keeps the row (it creates it on the first change); the admin needs its key.
        obj.pk = ScreeningSettings.objects.values_list("pk", flat=True).get(account=obj.account)

    def delete_model(self, request, obj):
        reset_screening_settings(obj.account, request=request)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("account"):
            reset_screening_settings(obj.account, request=request)


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
    ordering = ["account__account_id", "position", "id"]
    fieldsets = [
        (None, {"fields": ["account", "position", "enabled", "name", "is_blocklist"]}),
        (None, {"fields": ["caller_patterns", "called_number"]}),
        (None, {"fields": ["window", "week_days", "time_from", "time_to"]}),
        (None, {"fields": ["action", "forward_to", "ring_seconds"]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = ["is_blocklist", "created_at", "updated_at"]
        if obj is None:
            # A new rule goes to the end of the account's list, as in the portal.
            return [*fields, "position"]
        # A rule belongs to its account for good.
        return [*fields, "account"]

    def save_model(self, request, obj, form, change):
        # The same audited save as the customer's: a new rule at the end, a change recorded.
        save_rule(obj, request=request)

    def delete_model(self, request, obj):
        delete_rule(obj, request=request)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("account"):
            delete_rule(obj, request=request)
