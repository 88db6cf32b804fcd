"""Switch tokens: one per switch (a SIP proxy, a conference bridge), stored hashed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SwitchToken(models.Model):
    """A bearer token that lets one switch call the switch API.

    Only the token's SHA-256 is kept: the token itself is shown once, when it is created
    (`manage.py switch_token create NAME`), and cannot be read back. A revoked token is kept
    for the record, and refused.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("switch token")
        verbose_name_plural = _("switch tokens")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
