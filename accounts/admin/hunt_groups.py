"""Hunt groups ("grupy przechwytywania") and their members."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.admin.base import AuditedAdmin
from accounts.models import HuntGroup, HuntGroupMembership

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _MemberCount(TypedDict):
    member_count: int


class HuntGroupMembershipInline(admin.TabularInline):
    model = HuntGroupMembership
    raw_id_fields = ["account"]
    extra = 1
    readonly_fields = ["joined_at"]


@admin.register(HuntGroup)
class HuntGroupAdmin(AuditedAdmin[HuntGroup]):
    list_display = ["name", "number", "member_count"]
    search_fields = ["name", "number"]
    inlines = [HuntGroupMembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[HuntGroup]:
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, group: WithAnnotations[HuntGroup, _MemberCount]) -> int:
        return group.member_count
