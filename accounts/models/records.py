"""What the portal keeps a record of: the audit trail, and the e-mails the mail server accepted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models.accounts import Account


class AuditEvent(models.Model):
    """Who did what to which account, when and from where. Written by `accounts.audit.record`."""

    class ActorKind(models.TextChoices):
        CUSTOMER = "customer", _("customer")
        STAFF = "staff", _("staff")
        OPERATOR = "operator", _("operator command")
        SYSTEM = "system", _("system")

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_kind = models.CharField(_("actor kind"), max_length=10, choices=ActorKind)
    actor_label = models.CharField(_("who"), max_length=150)
    account = models.ForeignKey(
        Account,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("account"),
    )
    kind = models.CharField(_("what"), max_length=64, db_index=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="audit_account_latest")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label}: {self.kind}"

    def get_kind_display(self) -> str:
        """What happened, in words (accounts.audit_kinds), not the code."""
        from accounts.audit_kinds import describe

        return describe(self.kind)


class SentMail(models.Model):
    """An e-mail the mail server has accepted, by its Message-ID: the queue's record that it went
    out. Written by `accounts.mail.deliver`, which sends nothing whose Message-ID is here, so a
    repeated or re-queued delivery never reaches the customer twice.
    """

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")

    def __str__(self) -> str:
        return self.message_id
