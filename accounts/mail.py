"""The portal's e-mails: each a subject/text/html trio under `templates/emails/`, rendered in
the customer's language and time zone, whoever or whatever sends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

if TYPE_CHECKING:
    from accounts.models import Account


def build(
    name: str,
    context: dict[str, Any],
    *,
    to: Sequence[str],
    account: Account | None = None,
    language: str | None = None,
    zone: tzinfo | None = None,
    reply_to: Sequence[str] | None = None,
) -> EmailMultiAlternatives:
    """The e-mail `emails/<name>_subject.txt`, `<name>.txt` and `<name>.html` for `to`.

    Rendered in the account's language and time zone (or the given ones; else the active
    ones). The subject is one line, whatever the template's line breaks.
    """
    if account is not None:
        language = language or account.language
        zone = zone or account.zone
    with (
        translation.override(language or translation.get_language()),
        timezone.override(zone or timezone.get_current_timezone()),
    ):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        text,
        settings.DEFAULT_FROM_EMAIL,
        list(to),
        reply_to=list(reply_to) if reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    return message


def send(name: str, context: dict[str, Any], *, to: Sequence[str], **options: Any) -> None:
    """build() and send at once; raises when the mail server refuses."""
    build(name, context, to=to, **options).send()


def portal_link(url_name: str) -> str:
    """An absolute link to a page of the portal for e-mails sent without a request (by a command
    or after a charge); "" when PORTAL_URL is not set, and the e-mail then carries no link.
    """
    if not settings.PORTAL_URL:
        return ""
    return settings.PORTAL_URL.rstrip("/") + reverse(url_name)
