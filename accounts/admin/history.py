"""The records staff read and nobody edits: the ledger, the calls and the audit trail."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts import audit_kinds
from accounts.admin import search
from accounts.admin.base import FastListAdmin, IndexedSearchAdmin, link_to_account
from accounts.models import AuditEvent, BalanceEntry, CallRecord


@admin.register(BalanceEntry)
class BalanceEntryAdmin(IndexedSearchAdmin, FastListAdmin):
    list_display = [
        "created_at",
        "account_link",
        "kind",
        "amount",
        "balance_after",
        "description",
        "call",
        "created_by_label",
    ]
    list_select_related = ["account", "call"]
    list_filter = ["kind"]
    date_hierarchy = "created_at"
    # What the search box looks in; accounts.admin.search writes the search itself.
    search_fields = ["=account__account_id", "=account__user__username", "description"]
    search_help_text = _("Exact account ID or login, or words of the description.")

    @admin.display(description=_("account"), ordering="account__account_id")
    def account_link(self, entry: BalanceEntry) -> str:
        return link_to_account(entry.account)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[BalanceEntry], search_term: str
    ) -> tuple[QuerySet[BalanceEntry], bool]:
        found = search.matching_records(queryset, search_term, containing=("description",))
        return found, False


@admin.register(CallRecord)
class CallRecordAdmin(IndexedSearchAdmin, FastListAdmin):
    list_display = [
        "started_at",
        "account_link",
        "caller",
        "callee",
        "direction",
        "disposition",
        "duration",
        "billed_seconds",
        "charge",
        "call_key",
        "is_primary_leg",
    ]
    list_select_related = ["account"]
    # Staff see every leg; "shown in the call history" narrows to one per call.
    list_filter = ["direction", "disposition", "is_primary_leg"]
    date_hierarchy = "started_at"
    # What the search box looks in; accounts.admin.search writes the search itself.
    search_fields = ["caller", "callee", "=account__account_id", "=call_key"]
    search_help_text = _(
        "Part of the caller's or callee's number, the exact account ID, or the exact call "
        "(uniqueid or linkedid) to see all its legs."
    )

    @admin.display(description=_("account"), ordering="account__account_id")
    def account_link(self, call: CallRecord) -> str:
        return link_to_account(call.account)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[CallRecord], search_term: str
    ) -> tuple[QuerySet[CallRecord], bool]:
        if not search_term.strip():
            return queryset, False
        return search.matching_calls(queryset, search_term), False


class AuditEventKindFilter(admin.SimpleListFilter):
    """The event kinds by what they mean; listed from Konto's own, so it asks no query."""

    title = _("what")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return sorted(
            ((kind, str(label)) for kind, label in audit_kinds.DESCRIPTIONS.items()),
            key=lambda choice: choice[1],
        )

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent]
    ) -> QuerySet[AuditEvent]:
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(IndexedSearchAdmin, FastListAdmin):
    # What happened first after when, so it fits at 1280 px; the actor's kind is a filter and
    # the address is on the event's page.
    list_display = [
        "created_at",
        "kind_display",
        "account_link",
        "actor_label",
        "message",
    ]
    list_select_related = ["account"]
    list_filter = ["actor_kind", AuditEventKindFilter]
    date_hierarchy = "created_at"
    # What the search box looks in; accounts.admin.search writes the search itself.
    search_fields = ["=account__account_id", "=account__user__username", "=actor_label", "kind"]
    search_help_text = _("Exact account ID, login or staff user name, or part of the event kind.")
    readonly_fields = ["data"]

    @admin.display(description=_("what"), ordering="kind")
    def kind_display(self, event: AuditEvent) -> str:
        return event.get_kind_display()

    @admin.display(description=_("account"), ordering="account__account_id")
    def account_link(self, event: AuditEvent) -> str:
        return link_to_account(event.account)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent], search_term: str
    ) -> tuple[QuerySet[AuditEvent], bool]:
        found = search.matching_records(
            queryset, search_term, containing=("kind",), equal_to=("actor_label",)
        )
        return found, False
