"""The e-mail about a new voicemail message, in the account's language and time zone."""

from __future__ import annotations

from django.utils import timezone

from accounts import mail
from accounts.models import Account
from centrex.voicemail.audio_formats import original_extension
from centrex.voicemail.models import MailboxSettings, VoicemailMessage


def attachment_name(message: VoicemailMessage, account: Account, *, original: bool = False) -> str:
    """voicemail-20261115-100000.wav, in the account's time zone; the switch's original
    recording is voicemail-20261115-100000-original.gsm (.wav for GSM in WAV)."""
    local = timezone.localtime(message.received_at, account.zone)
    if original:
        extension = original_extension(message.original_format)
        return f"voicemail-{local:%Y%m%d-%H%M%S}-original.{extension}"
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
    mailbox (False when it goes out by e-mail only). The e-mail is queued with its audio and
    delivered, with retries, by the task worker; this raises only if the queue cannot take it.
    """
    account = mailbox_settings.account
    context = {
        "account": account,
        "message": message,
        "attached": audio is not None,
        "kept": kept,
        "mailbox_url": mail.portal_link("centrex:voicemail"),
    }
    email = mail.build(
        "voicemail", context, to=[mailbox_settings.notification_email], account=account
    )
    if audio is not None:
        email.attach(attachment_name(message, account), audio, "audio/wav")
    mail.queue(email)
