"""The account's own pages in the admin: adjust the balance, send a password reset e-mail,
lift a sign-in lockout, reset two-step verification."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from accounts.admin.forms import AdjustBalanceForm
from accounts.auth import lockout
from accounts.http import StaffRequest
from accounts.ledger.services import adjust_balance
from accounts.models import Account
from accounts.provisioning import send_password_email
from accounts.security import two_step
from accounts.templatetags.konto import money

if TYPE_CHECKING:
    pass


class AccountPagesMixin(admin.ModelAdmin):
    """The pages of one account beyond its change form, under its admin URL."""

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/adjust-balance/",
                self.admin_site.admin_view(self.adjust_balance_view),
                name="accounts_account_adjust_balance",
            ),
            path(
                "<path:object_id>/password-reset/",
                self.admin_site.admin_view(self.password_reset_view),
                name="accounts_account_password_reset",
            ),
            path(
                "<path:object_id>/sign-in-lockout/",
                self.admin_site.admin_view(self.lift_lockout_view),
                name="accounts_account_lift_lockout",
            ),
            path(
                "<path:object_id>/two-step/",
                self.admin_site.admin_view(self.two_step_reset_view),
                name="accounts_account_two_step_reset",
            ),
        ]
        return own + super().get_urls()

    def _account_for_action(self, request: StaffRequest, object_id: str) -> Account:
        account = get_object_or_404(Account.objects.select_related("user"), pk=object_id)
        if not self.has_change_permission(request, account):
            raise PermissionDenied
        return account

    def _page(
        self,
        request: StaffRequest,
        account: Account,
        template: str,
        title: str,
        **context: object,
    ) -> TemplateResponse:
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "account": account,
                "original": account,
                "title": title,
                **context,
            },
        )

    def adjust_balance_view(self, request: StaffRequest, object_id: str) -> HttpResponse:
        account = self._account_for_action(request, object_id)
        if request.method == "POST":
            form = AdjustBalanceForm(request.POST)
            if form.is_valid():
                entry = adjust_balance(
                    account,
                    form.cleaned_data["amount"],
                    form.cleaned_data["kind"],
                    form.cleaned_data["reason"],
                    actor=request.user,
                    request=request,
                )
                self.message_user(
                    request,
                    gettext("%(kind)s of %(amount)s booked; the balance is now %(balance)s.")
                    % {
                        "kind": capfirst(entry.get_kind_display()),
                        "amount": money(entry.amount, account.currency),
                        "balance": money(entry.balance_after, account.currency),
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:accounts_account_change", args=[account.pk])
                )
        elif request.method == "GET":
            form = AdjustBalanceForm()
        else:
            return HttpResponse(status=405, headers={"Allow": "GET, POST"})
        return self._page(
            request,
            account,
            "admin/accounts/account/adjust_balance.html",
            gettext("Adjust the balance of %(account)s") % {"account": account.account_id},
            form=form,
        )

    def password_reset_view(self, request: StaffRequest, object_id: str) -> HttpResponse:
        account = self._account_for_action(request, object_id)
        if request.method == "POST":
            if send_password_email(account.user, actor=request.user, request=request):
                self.message_user(
                    request,
                    gettext("Password reset e-mail sent to %(email)s.")
                    % {"email": account.user.email},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    gettext("The account has no e-mail address, so nothing was sent."),
                    messages.ERROR,
                )
            return HttpResponseRedirect(reverse("admin:accounts_account_change", args=[account.pk]))
        if request.method != "GET":
            return HttpResponse(status=405, headers={"Allow": "GET, POST"})
        return self._page(
            request,
            account,
            "admin/accounts/account/password_reset.html",
            gettext("Send a password reset e-mail to %(account)s")
            % {"account": account.account_id},
        )

    def lift_lockout_view(self, request: StaffRequest, object_id: str) -> HttpResponse:
        account = self._account_for_action(request, object_id)
        if request.method == "POST":
            cleared = lockout.clear_failures(
                account.user, kind="login.lockout_lifted", actor=request.user, request=request
            )
            self.message_user(
                request,
                ngettext(
                    "%(count)d failed sign-in of %(login)s forgotten: the login can be "
                    "tried again from every address.",
                    "%(count)d failed sign-ins of %(login)s forgotten: the login can be "
                    "tried again from every address.",
                    cleared,
                )
                % {"count": cleared, "login": account.login},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:accounts_account_change", args=[account.pk]))
        if request.method != "GET":
            return HttpResponse(status=405, headers={"Allow": "GET, POST"})
        return self._page(
            request,
            account,
            "admin/accounts/account/lift_lockout.html",
            gettext("Sign-in lockout of %(account)s") % {"account": account.account_id},
            failures=lockout.failures_of(account.user),
            limit=settings.AXES_FAILURE_LIMIT,
        )

    def two_step_reset_view(self, request: StaffRequest, object_id: str) -> HttpResponse:
        """For a customer who lost their phone and recovery codes: turn two-step off.

        Audited with the staff member's name; the customer is told by e-mail.
        """
        account = self._account_for_action(request, object_id)
        enabled = two_step.is_enabled(account.user)
        if request.method == "POST":
            if enabled:
                two_step.turn_off(account.user, request=request, by_staff=True)
                self.message_user(
                    request,
                    gettext(
                        "Two-step verification of %(login)s is off: the customer signs in with "
                        "the password alone and has been told by e-mail."
                    )
                    % {"login": account.login},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(reverse("admin:accounts_account_change", args=[account.pk]))
        if request.method != "GET":
            return HttpResponse(status=405, headers={"Allow": "GET, POST"})
        return self._page(
            request,
            account,
            "admin/accounts/account/two_step_reset.html",
            gettext("Two-step verification of %(account)s") % {"account": account.account_id},
            enabled=enabled,
        )
