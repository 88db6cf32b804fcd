"""Voicemail: the mailbox settings of an account, and the messages and greetings imported from
the switch.

The rules (PIN strength, import, notification, moving and deleting) live in
`centrex.voicemail`; these models only hold the data and its invariants.
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from centrex.voicemail import audio_formats

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def audio_upload_to(instance: Recording, filename: str) -> str:
    """A random, non-guessable name: the path says nothing about the account or the caller.

    The audio is never served from MEDIA_URL, only through the owner's authenticated view, but
    a name that cannot be guessed keeps it private even if the storage were exposed by mistake.
    """
    token = secrets.token_urlsafe(24)
    return f"voicemail/{token[:2]}/{token}.wav"


def original_upload_to(instance: Recording, filename: str) -> str:
    """As audio_upload_to, with the extension of the switch's format (`.WAV`, `.gsm`…)."""
    token = secrets.token_urlsafe(24)
    return f"voicemail/{token[:2]}/{token}.{instance.original_format or 'bin'}"


class MailboxSettings(models.Model):
    """How an account's voicemail box behaves. Created on first save (until then, the defaults)."""

    class EmailMode(models.TextChoices):
        NOTIFY = "notify", _("notification only")
        ATTACH = "attach", _("notification with the audio attached")

    class Greeting(models.TextChoices):
        STANDARD = "standard", _("standard greeting")
        PERSONAL = "personal", _("personal greeting")
        NAME = "name", _("name only")
        ABSENCE = "absence", _("extended absence")

    account = models.OneToOneField(
        Account,
        on_delete=models.CASCADE,
        related_name="mailbox_settings",
        verbose_name=_("account"),
    )
    # Django's password hashing (Argon2): the PIN itself is never stored.
    pin_hash = models.CharField(_("PIN (hashed)"), max_length=128, blank=True, editable=False)
    pin_changed_at = models.DateTimeField(_("PIN changed"), null=True, blank=True, editable=False)
    notification_email = models.EmailField(
        _("notification e-mail"),
        blank=True,
        help_text=_("Where new messages are announced. Leave empty to get no e-mails."),
    )
    email_mode = models.CharField(
        _("the e-mail carries"), max_length=10, choices=EmailMode, default=EmailMode.NOTIFY
    )
    delete_after_email = models.BooleanField(
        _("delete from the mailbox after e-mailing"),
        default=False,
        help_text=_(
            "Only when the audio is attached: the message then reaches you by e-mail only."
        ),
    )
    greeting = models.CharField(
        _("greeting"), max_length=10, choices=Greeting, default=Greeting.STANDARD
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("voicemail settings")
        verbose_name_plural = _("voicemail settings")
        constraints = [
            # The same rule as clean(), so neither the admin nor a script can break it.
            models.CheckConstraint(
                condition=models.Q(delete_after_email=False) | models.Q(email_mode="attach"),
                name="mailboxsettings_delete_only_when_attached",
            )
        ]

    def __str__(self) -> str:
        return str(self.account)

    def clean(self) -> None:
        super().clean()
        if self.delete_after_email and self.email_mode != self.EmailMode.ATTACH:
            raise ValidationError(
                {
                    "delete_after_email": ValidationError(
                        _(
                            "Messages can be deleted after e-mailing only when the e-mail carries "
                            "the audio. Choose “notification with the audio attached” or untick "
                            "this box."
                        ),
                        code="delete_without_attachment",
                    )
                }
            )
        if self.delete_after_email and not self.notification_email:
            raise ValidationError(
                {
                    "notification_email": ValidationError(
                        _(
                            "Enter the e-mail address the messages go to: they are deleted from "
                            "the mailbox after e-mailing."
                        ),
                        code="delete_without_email",
                    )
                }
            )

    @property
    def has_pin(self) -> bool:
        return bool(self.pin_hash)

    def set_pin(self, pin: str) -> None:
        self.pin_hash = make_password(pin)
        self.pin_changed_at = timezone.now()

    def check_pin(self, pin: str) -> bool:
        return bool(self.pin_hash) and check_password(pin, self.pin_hash)

    @property
    def attaches_audio(self) -> bool:
        return self.email_mode == self.EmailMode.ATTACH

    @property
    def keeps_messages(self) -> bool:
        """False when messages go out by e-mail only (attached, then deleted from the mailbox)."""
        return not (self.delete_after_email and self.attaches_audio and self.notification_email)


class Recording(models.Model):
    """What messages and greetings share: `audio` is what the portal plays (a PCM WAV); when the
    switch recorded in another format (GSM, µ-law…), the import converted it and keeps the
    switch's file in `original`."""

    audio = models.FileField(_("audio"), upload_to=audio_upload_to, max_length=200)
    audio_size = models.PositiveBigIntegerField(_("audio size (bytes)"), default=0)
    original = models.FileField(
        _("original recording"), upload_to=original_upload_to, max_length=200, blank=True
    )
    # The extension app_voicemail gave the original (its voicemail.conf format), e.g. "WAV"
    # (GSM in WAV), "gsm", "ulaw"; empty when `audio` is the switch's own file.
    original_format = models.CharField(_("original format"), max_length=10, blank=True)

    class Meta:
        abstract = True

    @property
    def original_label(self) -> str:
        """The original's format, as codecs are called ("GSM (WAV)", "G.711 µ-law")."""
        return audio_formats.label(self.original_format)


class VoicemailMessage(Recording):
    """One voicemail message, as the switch recorded it.

    `msg_id` is Asterisk's message id (or, for switches older than Asterisk 11, one derived
    from the message: see centrex.voicemail.message_info.legacy_id); with the account it
    identifies the message, so importing the same spool twice adds nothing (see also
    DeletedVoicemail). Its audio: see Recording.
    """

    class Folder(models.TextChoices):
        # The folders of Asterisk's app_voicemail, by their directory names.
        INBOX = "INBOX", _("Inbox")
        OLD = "Old", _("Old")
        WORK = "Work", _("Work")
        FAMILY = "Family", _("Family")
        FRIENDS = "Friends", _("Friends")
        CUST1 = "Cust1", _("Custom folder 1")
        CUST2 = "Cust2", _("Custom folder 2")
        CUST3 = "Cust3", _("Custom folder 3")
        CUST4 = "Cust4", _("Custom folder 4")
        CUST5 = "Cust5", _("Custom folder 5")
        URGENT = "Urgent", _("Urgent")

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="voicemail_messages",
        verbose_name=_("account"),
    )
    msg_id = models.CharField(_("message ID"), max_length=64)
    mailbox = models.CharField(_("mailbox"), max_length=32, blank=True)
    folder = models.CharField(_("folder"), max_length=10, choices=Folder, default=Folder.INBOX)
    caller_name = models.CharField(_("caller name"), max_length=100, blank=True)
    caller_number = models.CharField(_("caller number"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"))
    duration = models.PositiveIntegerField(_("duration (s)"), default=0)
    heard = models.BooleanField(_("heard"), default=False)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("voicemail message")
        verbose_name_plural = _("voicemail messages")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "msg_id"], name="voicemailmessage_unique_msg_id"
            )
        ]
        indexes = [
            models.Index(
                fields=["account", "folder", "-received_at"], name="voicemail_account_folder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.caller_label} ({self.received_at:%Y-%m-%d %H:%M})"

    @property
    def caller_label(self) -> str:
        if self.caller_name and self.caller_number:
            return f"{self.caller_name} <{self.caller_number}>"
        return self.caller_name or self.caller_number or str(_("unknown caller"))


class DeletedVoicemail(models.Model):
    """The id of a message that is no longer in the mailbox, so a later import skips it.

    The switch's spool keeps its files until the switch deletes them; without this record a
    message the customer deleted (or that went out by e-mail only) would come back on the next
    import. Only the id is kept, nothing about the caller.
    """

    class Reason(models.TextChoices):
        DELETED = "deleted", _("deleted by the customer")
        EMAILED = "emailed", _("e-mailed and deleted from the mailbox")

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="deleted_voicemail",
        verbose_name=_("account"),
    )
    msg_id = models.CharField(_("message ID"), max_length=64)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason)
    deleted_at = models.DateTimeField(_("deleted"), default=timezone.now)

    class Meta:
        verbose_name = _("deleted voicemail message")
        verbose_name_plural = _("deleted voicemail messages")
        ordering = ["-deleted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "msg_id"], name="deletedvoicemail_unique_msg_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.msg_id}"


class VoicemailGreeting(Recording):
    """One of the mailbox's greetings, as the customer recorded it on the phone.

    app_voicemail keeps them beside the folders, one file per format= of voicemail.conf:
    `unavail` is played to callers when nobody answers, `busy` when the line is busy, `temp`
    instead of both for as long as it exists (the customer removes it from the phone menu), and
    `greet` is the customer's recorded name, which the switch plays in its standard greeting
    ("<name> is unavailable") and in the directory. The import keeps these rows in step with the
    spool: `content_hash` tells a greeting the switch still holds unchanged from a re-recorded
    one, which replaces it in place.

    `audio` and `original` are as for every Recording: what the browser plays, and the
    switch's file when the import converted it.
    """

    class Kind(models.TextChoices):
        # app_voicemail's file names, in the order of its "mailbox options" menu.
        UNAVAIL = "unavail", _("unavailable greeting")
        BUSY = "busy", _("busy greeting")
        GREET = "greet", _("recorded name")
        TEMP = "temp", _("temporary greeting")

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="voicemail_greetings",
        verbose_name=_("account"),
    )
    kind = models.CharField(_("greeting"), max_length=10, choices=Kind)
    duration = models.PositiveIntegerField(_("duration (s)"), default=0)
    # SHA-256 of the switch's files of this greeting (every format), so an import knows without
    # converting anything whether the customer recorded it again.
    content_hash = models.CharField(_("content hash"), max_length=64, editable=False)
    # SHA-256 of those files' names, sizes and modification times when they were imported: while
    # they stay so, a rerun need not even read them (rsync's quick check).
    files_signature = models.CharField(
        _("files signature"), max_length=64, blank=True, editable=False
    )
    # When the switch wrote the recording (the file's modification time).
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("voicemail greeting")
        verbose_name_plural = _("voicemail greetings")
        ordering = ["account", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind"], name="voicemailgreeting_unique_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.get_kind_display()}"

    @property
    def when_played(self) -> StrOrPromise:
        return GREETING_USES[self.Kind(self.kind)]


GREETING_USES: dict[VoicemailGreeting.Kind, StrOrPromise] = {
    VoicemailGreeting.Kind.UNAVAIL: _("Played to callers when you do not answer."),
    VoicemailGreeting.Kind.BUSY: _("Played to callers when your line is busy."),
    VoicemailGreeting.Kind.GREET: _(
        "Your name, played in the standard greeting when no other greeting applies."
    ),
    VoicemailGreeting.Kind.TEMP: _(
        "While it exists, callers hear it instead of the unavailable and busy greetings."
    ),
}


@receiver(post_delete, sender=VoicemailGreeting)
@receiver(post_delete, sender=VoicemailMessage)
def _delete_audio_file(
    sender, instance: VoicemailMessage | VoicemailGreeting, **kwargs: object
) -> None:
    """A deleted message or greeting takes its audio (and the original) with it, however it was
    deleted (portal, admin, import, an account deleted with all it owns) — but only once the
    deletion is committed."""
    for stored in (instance.audio, instance.original):
        if stored:
            transaction.on_commit(partial(stored.storage.delete, stored.name))
