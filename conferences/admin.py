"""Conferences for operator staff: see every conference, end one now, or delete it.

Staff don't edit conferences here: times, limits and codes follow the customer's rules, which
live in `rules` and `access_codes`. Ending and deleting go through the same services as the
customer's pages, so codes are released, invitees are told and an audit event names the staff
member.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from conferences import services
from conferences.models import AccessCode, Conference, Invitee

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("past", _("Past")), ("current", _("Current")), ("future", _("Future"))]

    def queryset(self, request, queryset):
        if self.value() in ("past", "current", "future"):
            return getattr(queryset, self.value())()
        return queryset


class AccessCodeInline(admin.TabularInline):
    model = AccessCode
    # A tuple, not a list: `readonly_fields` takes the same names, and only a tuple fits the
    # declared types of both.
    fields = ("role", "code", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class InviteeInline(admin.TabularInline):
    model = Invitee
    fields = ("email",)
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conference)
class ConferenceAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "starts_at", "duration", "state", "max_participants"]
    list_select_related = ["account"]
    list_filter = [StateFilter, "is_permanent"]
    search_fields = ["name", "account__account_id", "account__user__username", "=ical_uid"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at"]
    inlines = [AccessCodeInline, InviteeInline]
    actions = ["end_now"]
    fields = (
        "account",
        "name",
        "description",
        "is_permanent",
        "starts_at",
        "ends_at",
        "max_session_minutes",
        "max_participants",
        "wait_for_moderator",
        "announce_join_leave",
        "mute_on_join",
        "music_on_hold",
        "record",
        "ical_uid",
        "sequence",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("duration"))
    def duration(self, obj: Conference) -> str:
        return obj.get_duration_display()

    @admin.display(description=_("state"))
    def state(self, obj: Conference) -> StrPromise:
        return obj.get_state_display()

    def has_add_permission(self, request):
        return False

    def has_end_permission(self, request) -> bool:
        return request.user.has_perm("conferences.change_conference")

    @admin.action(description=_("End the selected conferences now"), permissions=["end"])
    def end_now(self, request, queryset):
        ended = sum(
            services.end_conference(conference, actor=request.user, request=request)
            for conference in queryset.select_related("account")
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d conference has been ended.",
                "%(count)d conferences have been ended.",
                ended,
            )
            % {"count": ended},
            messages.SUCCESS,
        )

    def delete_model(self, request, obj: Conference) -> None:
        services.delete_conference(obj, actor=request.user, request=request)

    def delete_queryset(self, request, queryset) -> None:
        for conference in queryset.select_related("account"):
            services.delete_conference(conference, actor=request.user, request=request)
