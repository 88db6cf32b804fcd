"""The import of the switch's spool into the mailboxes, with the customers' e-mails."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.db import IntegrityError, transaction

from accounts.audit import Actor, record
from accounts.models import Account
from centrex.voicemail.models import DeletedVoicemail, MailboxSettings, VoicemailMessage
from centrex.voicemail.notification import send_notification
from centrex.voicemail.services import settings_for
from centrex.voicemail.spool import (
    IMPORTED_FOLDERS,
    SpoolError,
    SpoolMessage,
    SpoolProblem,
    check_audio,
    read_message_file,
    scan_spool,
)

logger = logging.getLogger(__name__)

UNHEARD_FOLDERS = {VoicemailMessage.Folder.INBOX, VoicemailMessage.Folder.URGENT}
IMPORT_ACTOR = "manage.py import_voicemail"


@dataclass
class ImportReport:
    imported: int = 0
    emailed_only: int = 0
    already_present: int = 0
    notified: int = 0
    rejected: list[SpoolProblem] = field(default_factory=list)
    email_failures: list[SpoolProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected and not self.email_failures


class _Accounts:
    """Mailbox number → (account, settings), one query per mailbox for the whole run."""

    def __init__(self) -> None:
        self._cache: dict[str, Account | None] = {}

    def get(self, mailbox: str) -> Account | None:
        if mailbox not in self._cache:
            self._cache[mailbox] = (
                Account.objects.select_related("user", "mailbox_settings")
                .filter(mailbox=mailbox)
                .first()
            )
        return self._cache[mailbox]


def _already_present(account: Account, msg_id: str) -> bool:
    return (
        VoicemailMessage.objects.filter(account=account, msg_id=msg_id).exists()
        or DeletedVoicemail.objects.filter(account=account, msg_id=msg_id).exists()
    )


def _new_message(account: Account, found: SpoolMessage) -> VoicemailMessage:
    # A message is stored only after read_message_file() (in _owner) has filled this in.
    assert found.received_at is not None
    folder = IMPORTED_FOLDERS[found.folder]
    return VoicemailMessage(
        account=account,
        msg_id=found.msg_id,
        mailbox=found.mailbox,
        folder=folder,
        caller_name=found.caller_name,
        caller_number=found.caller_number,
        received_at=found.received_at,
        duration=found.duration,
        heard=folder not in UNHEARD_FOLDERS,
    )


def store_message(account: Account, found: SpoolMessage, *, actor: Actor) -> VoicemailMessage:
    """Save the message row and its audio together, or neither.

    Raises IntegrityError when the message is already there (a concurrent import).
    """
    message = _new_message(account, found)
    saved_name = ""
    try:
        with transaction.atomic():
            with found.wav_path.open("rb") as audio:
                message.audio_size = found.wav_path.stat().st_size
                message.audio.save("audio.wav", File(audio), save=False)
            saved_name = message.audio.name
            message.save()
            record(
                "voicemail.imported",
                account=account,
                actor=actor,
                message="Voicemail message imported",
                msg_id=message.msg_id,
                folder=message.folder,
            )
    except BaseException:
        # The row is rolled back; the file must not outlive it.
        if saved_name:
            message.audio.storage.delete(saved_name)
        raise
    return message


def _email_only(
    account: Account, found: SpoolMessage, mailbox_settings: MailboxSettings, *, actor: Actor
) -> None:
    """Send the message with its audio and keep only its id (the customer asked for that)."""
    message = _new_message(account, found)
    send_notification(message, mailbox_settings, audio=found.wav_path.read_bytes(), kept=False)
    with transaction.atomic():
        DeletedVoicemail.objects.get_or_create(
            account=account,
            msg_id=found.msg_id,
            defaults={"reason": DeletedVoicemail.Reason.EMAILED},
        )
        record(
            "voicemail.emailed",
            account=account,
            actor=actor,
            message="Voicemail message e-mailed and not kept in the mailbox",
            msg_id=found.msg_id,
            folder=found.folder,
            to=mailbox_settings.notification_email,
        )


def _owner(item: SpoolMessage, accounts: _Accounts) -> Account:
    """The account a readable message with its audio belongs to; SpoolError says why not."""
    read_message_file(item)
    check_audio(item.wav_path)
    account = accounts.get(item.mailbox)
    if account is None:
        raise SpoolError(f"no account has mailbox {item.mailbox}")
    if not account.voicemail_enabled:
        raise SpoolError(f"voicemail is disabled for account {account}")
    return account


def _import_one(
    item: SpoolMessage,
    account: Account,
    report: ImportReport,
    reject: Callable[..., None],
    *,
    actor: Actor,
) -> None:
    """Import one new message, and e-mail the customer as their settings say."""
    mailbox_settings = settings_for(account)
    # Only new messages are announced: one the switch already filed in Old or another
    # folder was listened to on the phone, so it is imported quietly (and kept).
    announce = IMPORTED_FOLDERS[item.folder] in UNHEARD_FOLDERS
    if announce and not mailbox_settings.keeps_messages:
        try:
            _email_only(account, item, mailbox_settings, actor=actor)
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("Voicemail e-mail to %s failed: %s", account, error)
            reject(
                SpoolProblem(item.txt_path, f"e-mail failed, message kept instead: {error}"),
                email=True,
            )
        else:
            report.imported += 1
            report.emailed_only += 1
            report.notified += 1
            return
    try:
        message = store_message(account, item, actor=actor)
    except IntegrityError:
        report.already_present += 1  # another import got there first
        return
    except OSError as error:
        reject(SpoolProblem(item.txt_path, f"cannot store the audio: {error}"))
        return
    report.imported += 1
    if announce and mailbox_settings.notification_email and mailbox_settings.keeps_messages:
        audio = item.wav_path.read_bytes() if mailbox_settings.attaches_audio else None
        try:
            send_notification(message, mailbox_settings, audio=audio)
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("Voicemail e-mail to %s failed: %s", account, error)
            reject(SpoolProblem(item.txt_path, f"e-mail failed: {error}"), email=True)
        else:
            report.notified += 1


def import_spool(
    root: Path,
    *,
    context: str = "default",
    dry_run: bool = False,
    actor: Actor = IMPORT_ACTOR,
    on_problem: Callable[[SpoolProblem], None] | None = None,
    progress: Callable[
        [Sequence[SpoolMessage | SpoolProblem]], Iterable[SpoolMessage | SpoolProblem]
    ]
    | None = None,
) -> ImportReport:
    """Import the spool's messages that are new, each on its own, and e-mail the customers.

    A message is imported with its audio or not at all. Messages already imported (or deleted
    since) are counted as already present. Messages that cannot be imported are reported
    through `on_problem` and in the report; the rest of the spool is imported regardless.

    E-mails go out for new messages only (INBOX, Urgent); messages the switch has already filed
    elsewhere (Old, Work…) were heard on the phone and are imported without one. When the
    customer chose "delete after e-mail" (audio attached), a new message is e-mailed with its
    audio and not kept in the portal's mailbox; only its id is remembered. If that e-mail
    cannot be sent, the message is kept in the mailbox instead, so nothing is lost.
    """
    report = ImportReport()
    accounts = _Accounts()

    def reject(problem: SpoolProblem, *, email: bool = False) -> None:
        (report.email_failures if email else report.rejected).append(problem)
        if on_problem:
            on_problem(problem)

    items = list(scan_spool(root, context))
    for item in progress(items) if progress else items:
        if isinstance(item, SpoolProblem):
            reject(item)
            continue
        try:
            account = _owner(item, accounts)
        except SpoolError as error:
            reject(SpoolProblem(item.txt_path, str(error)))
            continue
        if _already_present(account, item.msg_id):
            report.already_present += 1
        elif dry_run:
            report.imported += 1
        else:
            _import_one(item, account, report, reject, actor=actor)
    return report
