"""The e-mail about a new voicemail message, in the account's language and time zone."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Account
from centrex.voicemail.models import MailboxSettings, VoicemailMessage


def attachment_name(message: VoicemailMessage, account: Account) -> str:
    local = timezone.localtime(message.received_at, account.zone)
    return f"voicemail-{local:%Y%m%d-%H%M%S}.wav"


def send_notification(
    message: VoicemailMessage,
    mailbox_settings: MailboxSettings,
    *,
    audio: bytes | None = None,
    kept: bool = True,
) -> None:
    """E-mail the customer about a new message, in the account's language and time zone.

    `audio` is attached when given. `kept` says whether the message stays in the portal's
    mailbox (False when it goes out by e-mail only). Raises on delivery failure.
    """
    account = mailbox_settings.account
    portal_url = settings.PORTAL_URL.rstrip("/")
    with translation.override(account.language), timezone.override(account.zone):
        context = {
            "account": account,
            "message": message,
            "attached": audio is not None,
            "kept": kept,
            "mailbox_url": f"{portal_url}{reverse('centrex:voicemail')}" if portal_url else "",
        }
        subject = render_to_string("emails/voicemail_subject.txt", context)
        text = render_to_string("emails/voicemail.txt", context)
        html = render_to_string("emails/voicemail.html", context)
    email = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[mailbox_settings.notification_email],
    )
    email.attach_alternative(html, "text/html")
    if audio is not None:
        email.attach(attachment_name(message, account), audio, "audio/wav")
    email.send()
