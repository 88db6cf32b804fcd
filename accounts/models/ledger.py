"""The ledger: every change of an account's balance."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models.accounts import Account
from accounts.models.calls import CallRecord
from accounts.models.money import MONEY


class BalanceEntry(models.Model):
    """One change of an account's balance (the ledger). Balance = sum of its entries."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", _("top-up")
        CALL_CHARGE = "call_charge", _("call charge")
        ADJUSTMENT = "adjustment", _("adjustment")
        REFUND = "refund", _("refund")

    # No index of its own: balance_account_latest starts with the account.
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="balance_entries",
        verbose_name=_("account"),
        db_index=False,
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    balance_after = models.DecimalField(_("balance after"), **MONEY)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    description = models.CharField(_("description"), max_length=255, blank=True)
    call = models.ForeignKey(
        CallRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="balance_entries",
        verbose_name=_("call"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_by_label = models.CharField(_("by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("balance entry")
        verbose_name_plural = _("balance entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A call is charged once, however often its record is imported.
            models.UniqueConstraint(
                fields=["call"],
                condition=models.Q(kind="call_charge"),
                name="balanceentry_one_charge_per_call",
            )
        ]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="balance_account_latest")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount:+} ({self.get_kind_display()})"
