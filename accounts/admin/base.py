"""What the staff's screens share: an audit event for every change staff make, read-only
history, and lists that stay fast at a million rows (no full counts, a date drill-down that
does not scan the table).
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.db.models import Max, Min, Model, QuerySet
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext

from accounts import audit
from accounts.admin import search
from accounts.models import Account
from accounts.paging import KeptCountPaginator
from accounts.templatetags.remembered_url import reversed_with_pk

_M = TypeVar("_M", bound=Model)


# Generic in the model it administers (ModelAdmin[...] itself cannot be subscripted at run time).
class AuditedAdmin(admin.ModelAdmin, Generic[_M]):
    """Writes an audit event, with the staff user's name, for every add, change and delete."""

    # Fields whose values never go into the audit trail (only that they changed).
    secret_fields: tuple[str, ...] = ("password", "sip_password")

    def action_checkbox(self, obj: _M) -> SafeString:
        """Django's checkbox of a row (ModelAdmin.action_checkbox), written straight: its
        CheckboxInput through the widget templates was a quarter of the accounts list."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    def audit_account(self, obj: _M) -> Account | None:
        """The customer account an object belongs to (for the account's audit trail)."""
        return None

    def _audit_kind(self, action: str) -> str:
        return f"{self.model._meta.model_name}.{action}"

    def _values(self, form: forms.BaseForm, change: bool) -> dict[str, list[Any]]:
        """{field: [old, new]} of what the form changed; secrets only say that they changed."""
        names = [name for name in form.changed_data if name in form.cleaned_data]
        before = {name: form.initial.get(name) if change else None for name in names}
        values = audit.diff(before, {name: form.cleaned_data[name] for name in names})
        for name in values:
            if any(secret in name for secret in self.secret_fields):
                values[name] = ["", "changed"]
        return values

    def save_model(
        self, request: HttpRequest, obj: _M, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        values = self._values(form, change)
        if values or not change:
            audit.record_changes(
                self._audit_kind("update" if change else "create"),
                values,
                account=self.audit_account(obj),
                request=request,
                message=str(obj),
            )

    def delete_model(self, request: HttpRequest, obj: _M) -> None:
        self._audit_delete(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[_M]) -> None:
        for obj in queryset:
            self._audit_delete(request, obj)
        super().delete_queryset(request, queryset)

    def _audit_delete(self, request: HttpRequest, obj: _M) -> None:
        account = self.audit_account(obj)
        if isinstance(obj, Account):
            account = None  # the event outlives the account: it names it in the message
        audit.record(self._audit_kind("delete"), account=account, request=request, message=str(obj))

    def save_formset(
        self,
        request: HttpRequest,
        form: forms.ModelForm,
        formset: BaseModelFormSet[Model, forms.ModelForm],
        change: bool,
    ) -> None:
        super().save_formset(request, form, formset, change)
        model_name = formset.model._meta.model_name
        for obj in formset.new_objects:
            audit.record(
                f"{model_name}.create",
                account=getattr(obj, "account", None),
                request=request,
                message=str(obj),
            )
        for obj, changed in formset.changed_objects:
            audit.record(
                f"{model_name}.update",
                account=getattr(obj, "account", None),
                request=request,
                message=str(obj),
                fields=list(changed),
            )
        for obj in formset.deleted_objects:
            audit.record(
                f"{model_name}.delete",
                account=getattr(obj, "account", None),
                request=request,
                message=str(obj),
            )


class IndexedSearchAdmin(admin.ModelAdmin):
    """A list whose search is answered from trigram indexes (accounts.admin.search): its page is
    made, and rendered, with every query planned for the search's own values."""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        with search.planned_for_each_search(request):
            response = super().changelist_view(request, extra_context)
            if isinstance(response, TemplateResponse):
                response.render()  # its queries run here too
            return response


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are history: staff read them, nobody edits them here."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


# --- A date drill-down that does not scan a million rows ------------------------------------------


class FastDateHierarchyChangeList(ChangeList):
    """Django's date hierarchy asks the database for the distinct years, months or days
    present (a scan of the whole filtered table). This one offers every month of a year and
    every day of a month without a query; only the years come from one MIN/MAX.
    """

    def fast_date_hierarchy(self) -> dict[str, Any]:
        field = self.date_hierarchy
        year = self.params.get(f"{field}__year")
        month = self.params.get(f"{field}__month")
        day = self.params.get(f"{field}__day")

        def link(filters: dict[str, int]) -> str:
            return self.get_query_string(filters, [f"{field}__"])

        try:
            year, month, day = (int(v) if v else None for v in (year, month, day))
        except (TypeError, ValueError):
            return {"show": False}
        if year and month and day:
            moment = date(year, month, day)
            return {
                "show": True,
                "back": {
                    "link": link({f"{field}__year": year, f"{field}__month": month}),
                    "title": capfirst(formats.date_format(moment, "YEAR_MONTH_FORMAT")),
                },
                "choices": [{"title": capfirst(formats.date_format(moment, "MONTH_DAY_FORMAT"))}],
            }
        if year and month:
            days = calendar.monthrange(year, month)[1]
            return {
                "show": True,
                "back": {"link": link({f"{field}__year": year}), "title": str(year)},
                "choices": [
                    {
                        "link": link(
                            {f"{field}__year": year, f"{field}__month": month, f"{field}__day": d}
                        ),
                        "title": capfirst(
                            formats.date_format(date(year, month, d), "MONTH_DAY_FORMAT")
                        ),
                    }
                    for d in range(1, days + 1)
                ],
            }
        if year:
            return {
                "show": True,
                "back": {"link": link({}), "title": gettext("All dates")},
                "choices": [
                    {
                        "link": link({f"{field}__year": year, f"{field}__month": m}),
                        "title": capfirst(
                            formats.date_format(date(year, m, 1), "YEAR_MONTH_FORMAT")
                        ),
                    }
                    for m in range(1, 13)
                ],
            }
        # Read with the list's count when it was counted exactly (KeptCountPaginator).
        bounds = getattr(self.paginator, "date_bounds", None)
        if bounds is None:
            found = self.queryset.aggregate(first=Min(field), last=Max(field))
            bounds = (found["first"], found["last"])
        if not (bounds[0] and bounds[1]):
            return {"show": False}
        first = timezone.localtime(bounds[0]).year
        last = timezone.localtime(bounds[1]).year
        return {
            "show": True,
            "choices": [
                {"link": link({f"{field}__year": y}), "title": str(y)}
                for y in range(last, first - 1, -1)
            ],
        }


class FastListAdmin(ReadOnlyAdmin):
    """Lists that may hold millions of rows."""

    change_list_template = "admin/accounts/fast_change_list.html"
    # The "N total" next to a filtered count would COUNT(*) the whole table on every page.
    show_full_result_count = False
    list_per_page = 50
    # A total over 10,000 is counted once a minute (accounts.paging.KeptCountPaginator).
    paginator = KeptCountPaginator

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return FastDateHierarchyChangeList

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> KeptCountPaginator:
        # The drill-down's years need the list's first and last dates; a chosen year does not.
        years = self.date_hierarchy and not request.GET.get(f"{self.date_hierarchy}__year")
        return KeptCountPaginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            dates=self.date_hierarchy if years else None,
        )


def link_to_account(account: Account | None) -> str:
    if account is None:
        return "—"
    url = reversed_with_pk("admin:accounts_account_change", account.pk)
    return format_html('<a href="{}">{}</a>', url, account.account_id)


def small_table(headings: list[Any], rows: SafeString) -> str:
    if not rows:
        return gettext("No data to display")
    head = format_html_join("", "<th>{}</th>", ((heading,) for heading in headings))
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, rows)
