"""Accounts in the staff's admin: find one, change it, top it up, block it, reset its password.

Every change goes through the service that owns it (features and limits, status, money,
password e-mails), so the admin gives the same verdicts and leaves the same audit events as
the operators' commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import search
from accounts.admin.account_pages import AccountPagesMixin
from accounts.admin.base import AuditedAdmin, IndexedSearchAdmin, small_table
from accounts.admin.forms import AccountAdminForm, PhoneNumberForm
from accounts.features import FEATURE_AND_LIMIT_FIELDS, change_features
from accounts.http import StaffRequest
from accounts.models import Account, PhoneNumber, User
from accounts.paging import KeptCountPaginator
from accounts.provisioning import send_password_email, set_status
from accounts.sip import credentials as sip_credentials
from accounts.sip import registrations
from accounts.templatetags.konto import money

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RECENT_ROWS_ON_ACCOUNT_PAGE = 10
PHONE_FIELDS = ("phone", "fax", "alt_phone")


class BalanceBelowZeroFilter(admin.SimpleListFilter):
    title = _("balance")
    parameter_name = "balance"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, StrOrPromise]]:
        return [("below_zero", _("below zero")), ("zero_or_more", _("zero or more"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Account]) -> QuerySet[Account]:
        if self.value() == "below_zero":
            return queryset.filter(balance__lt=0)
        if self.value() == "zero_or_more":
            return queryset.filter(balance__gte=0)
        return queryset


class PhoneNumberInline(admin.StackedInline):
    """The account's telephone numbers: its calls are told by them (and routed to them).

    Stacked, not tabular: each field keeps its label (a tabular inline's inputs have none).
    """

    model = PhoneNumber
    form = PhoneNumberForm
    extra = 0
    verbose_name = _("telephone number")
    verbose_name_plural = _("telephone numbers")


@admin.register(Account)
class AccountAdmin(IndexedSearchAdmin, AccountPagesMixin, AuditedAdmin[Account]):
    form = AccountAdminForm
    inlines = [PhoneNumberInline]
    # What the help desk looks for first, and fits at 1280 px: the account ID is the login as
    # the operator issues them (both are searched); e-mail and phone are on the account page.
    list_display = [
        "login",
        "name",
        "balance_display",
        "status",
        "features_display",
    ]
    list_display_links = ["login"]
    list_select_related = ["user"]
    list_filter = [
        "status",
        "call_screening_enabled",
        "voicemail_enabled",
        "conferences_enabled",
        BalanceBelowZeroFilter,
        "language",
    ]
    # What the search box looks in; accounts.admin.search writes the search itself.
    search_fields = [
        "account_id",
        "user__username",
        "first_name",
        "last_name",
        "company_name",
        "user__email",
        "phone",
        "alt_phone",
        "numbers__number",
    ]
    search_help_text = _(
        "Login, account ID, name, company, e-mail or phone number (spaces and dashes are ignored)."
    )
    show_full_result_count = False
    list_per_page = 50
    # A total over 10,000 accounts is counted once a minute.
    paginator = KeptCountPaginator
    raw_id_fields = ["user"]
    actions = ["block_accounts", "unblock_accounts", "send_password_reset"]
    readonly_fields = [
        "login",
        "balance_display",
        "sip_registrations",
        "created_at",
        "updated_at",
        "history_links",
        "recent_ledger",
        "recent_audit",
    ]
    # Status, features and limits first: what the help desk switches most, without scrolling.
    fieldsets = [
        (_("User"), {"fields": ["user", "login", "email", "account_id", "status"]}),
        (
            _("Features and limits"),
            {
                "fields": [
                    "call_screening_enabled",
                    "voicemail_enabled",
                    "conferences_enabled",
                    "max_conference_participants",
                    "max_concurrent_conferences",
                    "mailbox",
                ]
            },
        ),
        (
            _("Balance"),
            {
                "fields": [
                    "balance_display",
                    "currency",
                    "credit_limit",
                    "low_balance_threshold",
                    "low_balance_alert_sent",
                ]
            },
        ),
        (
            _("Contact information"),
            {
                "fields": [
                    "company_name",
                    "salutation",
                    "first_name",
                    "middle_name",
                    "last_name",
                    "contact_person",
                    "phone",
                    "fax",
                    "alt_phone",
                    "alt_contact",
                    "postal_code",
                    "city",
                    "county",
                    "province",
                    "country",
                    "description",
                ]
            },
        ),
        (_("Settings"), {"fields": ["time_zone", "language", "sip_password"]}),
        (
            _("SIP registration"),
            {"fields": ["sip_registrations"]},
        ),
        (
            _("History"),
            {
                "fields": [
                    "history_links",
                    "recent_ledger",
                    "recent_audit",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def audit_account(self, obj: Account) -> Account:
        return obj

    def get_queryset(self, request: HttpRequest) -> QuerySet[Account]:
        return super().get_queryset(request).select_related("user")

    # What the list and the page show

    @admin.display(description=_("login"), ordering="user__username")
    def login(self, account: Account) -> str:
        return account.user.username

    @admin.display(description=_("name"))
    def name(self, account: Account) -> str:
        return account.company_name or account.full_name

    @admin.display(description=_("e-mail"), ordering="user__email")
    def email(self, account: Account) -> str:
        return account.user.email

    @admin.display(description=_("features"))
    def features_display(self, account: Account) -> str:
        on = [
            label
            for enabled, label in [
                (account.call_screening_enabled, _("Call screening")),
                (account.voicemail_enabled, _("Voicemail")),
                (account.conferences_enabled, _("Conferences")),
            ]
            if enabled
        ]
        return ", ".join(str(label) for label in on) or "—"

    @admin.display(description=_("balance"), ordering="balance")
    def balance_display(self, account: Account) -> str:
        return money(account.balance, account.currency)

    @admin.display(description=_("credit limit"), ordering="credit_limit")
    def credit_limit_display(self, account: Account) -> str:
        return money(account.credit_limit, account.currency)

    @admin.display(description=_("registered phones"))
    def sip_registrations(self, account: Account) -> str:
        phones = registrations.phones_of(account) if account.pk else []
        if not phones:
            return gettext("Offline")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    phone.user_agent,
                    phone.contact,
                    formats.date_format(timezone.localtime(phone.expires), "SHORT_DATETIME_FORMAT"),
                )
                for phone in phones
            ),
        )
        return small_table([_("user agent"), _("contact"), _("registered until")], rows)

    @admin.display(description=_("records"))
    def history_links(self, account: Account) -> str:
        if not account.pk:
            return "—"
        query = f"?account__id__exact={account.pk}"
        links = [
            (reverse("admin:accounts_balanceentry_changelist") + query, _("Ledger")),
            (reverse("admin:accounts_callrecord_changelist") + query, _("Call history")),
            (reverse("admin:accounts_auditevent_changelist") + query, _("Audit trail")),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    @admin.display(description=_("latest ledger entries"))
    def recent_ledger(self, account: Account) -> str:
        if not account.pk:
            return "—"
        entries = account.balance_entries.order_by("-created_at", "-id")[
            :RECENT_ROWS_ON_ACCOUNT_PAGE
        ]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    formats.date_format(
                        timezone.localtime(entry.created_at), "SHORT_DATETIME_FORMAT"
                    ),
                    entry.get_kind_display(),
                    money(entry.amount, account.currency),
                    money(entry.balance_after, account.currency),
                    entry.description,
                    entry.created_by_label,
                )
                for entry in entries
            ),
        )
        return small_table(
            [_("date"), _("kind"), _("amount"), _("balance after"), _("description"), _("by")],
            rows,
        )

    @admin.display(description=_("latest audit events"))
    def recent_audit(self, account: Account) -> str:
        if not account.pk:
            return "—"
        events = account.audit_events.order_by("-created_at", "-id")[:RECENT_ROWS_ON_ACCOUNT_PAGE]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    formats.date_format(
                        timezone.localtime(event.created_at), "SHORT_DATETIME_FORMAT"
                    ),
                    event.actor_label,
                    event.get_kind_display(),
                    event.message,
                )
                for event in events
            ),
        )
        return small_table([_("when"), _("who"), _("what"), _("message")], rows)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Account | None = None,
    ) -> HttpResponse:
        if request.method == "GET" and obj is not None and obj.sip_password_unreadable:
            self.message_user(
                request,
                gettext(
                    "The SIP password of this account cannot be decrypted with the configured "
                    "FIELD_ENCRYPTION_KEYS. It is kept as stored: restore the key that encrypted "
                    "it, or type a new SIP password."
                ),
                messages.ERROR,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Account | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # The login an account belongs to does not move to another user.
            fields.append("user")
        return fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Account], search_term: str
    ) -> tuple[QuerySet[Account], bool]:
        if not search_term.strip():
            return queryset, False
        return search.matching_accounts(queryset, search_term), False

    # Saving: each kind of change through its service, each with its own audit event

    def save_model(
        self, request: HttpRequest, obj: Account, form: forms.ModelForm, change: bool
    ) -> None:
        if not change:
            # A customer account is created by an import; an account added here is audited
            # as a whole, like any other object staff add.
            super().save_model(request, obj, form, change)
            sip_credentials.sync_account(obj)
            return
        changed = set(form.changed_data)
        stored = Account.objects.get(pk=obj.pk)
        # Features and limits as the set_features command sets them ("account.features").
        feature_values = {name: getattr(obj, name) for name in FEATURE_AND_LIMIT_FIELDS & changed}
        new_status = obj.status
        for name in [*feature_values, "status"]:
            setattr(obj, name, getattr(stored, name))
        if "email" in changed:
            obj.user.email = form.cleaned_data["email"]
            obj.user.save(update_fields=["email"])
        super().save_model(request, obj, form, change)
        if {"sip_password", "account_id"} & changed:
            # In the admin's transaction, as every change of the proxy's credentials.
            sip_credentials.sync_account(obj, previous_account_id=stored.account_id)
        staff = request.user
        assert isinstance(staff, User)  # admin_view() lets only active staff in
        change_features(obj, feature_values, actor=staff, request=request)
        set_status(obj, new_status, actor=staff, request=request)

    def _values(self, form: forms.BaseForm, change: bool) -> dict[str, list[Any]]:
        values = super()._values(form, change)
        # Status, features and limits are audited by their services.
        for name in ["status", *FEATURE_AND_LIMIT_FIELDS]:
            values.pop(name, None)
        return values

    # Actions

    @admin.action(description=_("Block the selected accounts"))
    def block_accounts(self, request: StaffRequest, queryset: QuerySet[Account]) -> None:
        self._set_status(request, queryset, Account.Status.BLOCKED)

    @admin.action(description=_("Unblock the selected accounts"))
    def unblock_accounts(self, request: StaffRequest, queryset: QuerySet[Account]) -> None:
        self._set_status(request, queryset, Account.Status.ACTIVE)

    def _set_status(self, request: StaffRequest, queryset: QuerySet[Account], status: str) -> None:
        if not self.has_change_permission(request):
            raise PermissionDenied
        changed = 0
        for account in queryset.select_related("user"):
            if account.status != status:
                set_status(account, status, actor=request.user, request=request)
                changed += 1
        if status == Account.Status.BLOCKED:
            message = ngettext("%(count)d account blocked.", "%(count)d accounts blocked.", changed)
        else:
            message = ngettext(
                "%(count)d account unblocked.", "%(count)d accounts unblocked.", changed
            )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Send a password reset e-mail"))
    def send_password_reset(self, request: StaffRequest, queryset: QuerySet[Account]) -> None:
        if not self.has_change_permission(request):
            raise PermissionDenied
        sent, without_email = 0, []
        for account in queryset.select_related("user"):
            if send_password_email(account.user, actor=request.user, request=request):
                sent += 1
            else:
                without_email.append(account.account_id)
        if sent:
            self.message_user(
                request,
                ngettext(
                    "Password reset e-mail sent to %(count)d account.",
                    "Password reset e-mails sent to %(count)d accounts.",
                    sent,
                )
                % {"count": sent},
                messages.SUCCESS,
            )
        if without_email:
            self.message_user(
                request,
                gettext("No e-mail address, so nothing was sent: %(accounts)s.")
                % {"accounts": ", ".join(without_email)},
                messages.WARNING,
            )
