"""Mailbox settings, the PIN, the messages and the greetings, as the customer (or staff) change
them (audited)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit
from accounts.audit import Actor
from accounts.models import Account
from centrex.voicemail.models import (
    DeletedVoicemail,
    MailboxSettings,
    VoicemailGreeting,
    VoicemailMessage,
)
from centrex.voicemail.pin import validate_pin


def settings_for(account: Account, *, fresh: bool = False) -> MailboxSettings:
    """The account's mailbox settings; the defaults (not yet saved) when it has none.

    Reading never writes: the row is created by the first save (settings form, PIN change).
    `fresh` gives the defaults even when a row exists (what "unchanged" is measured against).
    """
    if not fresh:
        try:
            return account.mailbox_settings
        except MailboxSettings.DoesNotExist:
            pass
    return MailboxSettings(account=account, notification_email=account.email)


SETTINGS_FIELDS = ("notification_email", "email_mode", "delete_after_email", "greeting")


def save_settings(
    mailbox_settings: MailboxSettings,
    *,
    request: HttpRequest | None = None,
    actor: Actor = None,
) -> dict[str, list]:
    """Save the settings (validated again by full_clean) and audit what changed.

    Returns {field: [old, new]}; empty, with no audit event, when nothing changed. The row is
    written when it is new (the admin's "add") or when something changed.
    """
    mailbox_settings.full_clean()
    stored = (
        MailboxSettings.objects.filter(pk=mailbox_settings.pk).first()
        if mailbox_settings.pk
        else None
    ) or settings_for(mailbox_settings.account, fresh=True)
    changes = audit.diff(
        {name: getattr(stored, name) for name in SETTINGS_FIELDS},
        {name: getattr(mailbox_settings, name) for name in SETTINGS_FIELDS},
    )
    if mailbox_settings.pk is None or changes:
        mailbox_settings.save()
    if changes:
        audit.record(
            "voicemail.settings_changed",
            account=mailbox_settings.account,
            actor=actor,
            request=request,
            message="Voicemail settings changed",
            **changes,
        )
    return changes


def change_pin(
    account: Account, pin: str, *, request: HttpRequest | None = None, actor: Actor = None
) -> MailboxSettings:
    validate_pin(pin, mailbox=account.mailbox)
    mailbox_settings = settings_for(account)
    mailbox_settings.set_pin(pin)
    mailbox_settings.save()
    # The PIN itself never goes into the audit trail.
    audit.record(
        "voicemail.pin_changed",
        account=account,
        actor=actor,
        request=request,
        message="Voicemail PIN changed",
    )
    return mailbox_settings


def clear_pin(account: Account, *, request: HttpRequest | None = None, actor: Actor = None) -> None:
    """Staff help: forget the PIN so the customer can set a new one in the portal."""
    mailbox_settings = settings_for(account)
    if mailbox_settings.pk is None or not mailbox_settings.has_pin:
        return
    mailbox_settings.pin_hash = ""
    mailbox_settings.pin_changed_at = timezone.now()
    mailbox_settings.save(update_fields=["pin_hash", "pin_changed_at", "updated_at"])
    audit.record(
        "voicemail.pin_cleared",
        account=account,
        actor=actor,
        request=request,
        message="Voicemail PIN cleared",
    )


def set_heard(
    message: VoicemailMessage,
    heard: bool,
    *,
    request: HttpRequest | None = None,
    actor: Actor = None,
) -> None:
    if message.heard == heard:
        return
    message.heard = heard
    message.save(update_fields=["heard"])
    audit.record(
        "voicemail.heard" if heard else "voicemail.unheard",
        account=message.account,
        actor=actor,
        request=request,
        message=f"Voicemail message marked {'heard' if heard else 'new'}",
        msg_id=message.msg_id,
    )


def move_message(
    message: VoicemailMessage,
    folder: str,
    *,
    request: HttpRequest | None = None,
    actor: Actor = None,
) -> None:
    """File the message in another folder. Old holds heard messages, as on the switch."""
    folder = VoicemailMessage.Folder(folder)
    if message.folder == folder:
        return
    previous = message.folder
    message.folder = folder
    if folder == VoicemailMessage.Folder.OLD:
        message.heard = True
    message.save(update_fields=["folder", "heard"])
    audit.record(
        "voicemail.moved",
        account=message.account,
        actor=actor,
        request=request,
        message=f"Voicemail message moved from {previous} to {folder}",
        msg_id=message.msg_id,
        from_folder=previous,
        to_folder=str(folder),
    )


def delete_message(
    message: VoicemailMessage, *, request: HttpRequest | None = None, actor: Actor = None
) -> None:
    """Delete the message and its audio; remember its id so no import brings it back."""
    with transaction.atomic():
        DeletedVoicemail.objects.get_or_create(
            account=message.account,
            msg_id=message.msg_id,
            defaults={"reason": DeletedVoicemail.Reason.DELETED},
        )
        audit.record(
            "voicemail.deleted",
            account=message.account,
            actor=actor,
            request=request,
            message="Voicemail message deleted",
            msg_id=message.msg_id,
            folder=message.folder,
        )
        # The audio file goes once the deletion is committed (see the post_delete receiver).
        message.delete()


def allow_reimport(
    deleted: DeletedVoicemail, *, request: HttpRequest | None = None, actor: Actor = None
) -> None:
    """Forget that a message was deleted, so the next import brings it back (staff help)."""
    deleted.delete()
    audit.record(
        "voicemail.reimport_allowed",
        account=deleted.account,
        actor=actor,
        request=request,
        message="Deleted voicemail message may be imported again",
        msg_id=deleted.msg_id,
    )


def delete_greeting(
    greeting: VoicemailGreeting,
    *,
    request: HttpRequest | None = None,
    actor: Actor = None,
    removed_from_switch: bool = False,
) -> None:
    """Take a greeting out of the portal, with its audio (once committed).

    The import does so when the switch no longer holds it (`removed_from_switch`); staff may
    too, but while the switch still holds the greeting the next import brings it back: callers
    hear what the switch has, and the portal shows that.
    """
    with transaction.atomic():
        audit.record(
            "voicemail.greeting_removed" if removed_from_switch else "voicemail.greeting_deleted",
            account=greeting.account,
            actor=actor,
            request=request,
            message=(
                "Voicemail greeting no longer on the switch, removed"
                if removed_from_switch
                else "Voicemail greeting deleted"
            ),
            greeting=greeting.kind,
        )
        greeting.delete()
