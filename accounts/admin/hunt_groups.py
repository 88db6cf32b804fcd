"""Hunt groups ("grupy przechwytywania") and their members."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.admin.base import AuditedAdmin
from accounts.models import HuntGroup, HuntGroupMembership


class HuntGroupMembershipInline(admin.TabularInline):
    model = HuntGroupMembership
    raw_id_fields = ["account"]
    extra = 1
    readonly_fields = ["joined_at"]


@admin.register(HuntGroup)
class HuntGroupAdmin(AuditedAdmin):
    list_display = ["name", "number", "member_count"]
    search_fields = ["name", "number"]
    inlines = [HuntGroupMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, group: HuntGroup) -> int:
        return group.member_count
