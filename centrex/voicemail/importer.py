"""The import of the switch's spool into the mailboxes, with the customers' e-mails, and of the
mailboxes' greetings (see `greetings`).

Each message on its own: one that cannot be imported is reported with its path and the rest of
the spool goes on. What is still being written waits for the next run (see `spool`). The cheap
checks come first, so a rerun over a spool of thousands of imported messages reads each .txt
and runs no sox.
"""

from __future__ import annotations

import logging
import re
import smtplib
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction

from accounts import text
from accounts.audit import Actor, record
from accounts.models import Account
from accounts.validators import validate_mailbox
from centrex.voicemail.greetings import GreetingTally, MailboxGreetings
from centrex.voicemail.message_info import (
    MAX_TXT_SIZE,
    InfoError,
    MessageInfo,
    parse_message_info,
)
from centrex.voicemail.models import DeletedVoicemail, MailboxSettings, VoicemailMessage
from centrex.voicemail.notification import send_notification
from centrex.voicemail.recordings import (
    Converter,
    Playable,
    RecordingError,
    StillWriting,
    find_sox,
)
from centrex.voicemail.services import settings_for
from centrex.voicemail.spool import (
    IMPORTED_FOLDERS,
    SpoolError,
    SpoolGreetings,
    SpoolItem,
    SpoolLater,
    SpoolMessage,
    SpoolProblem,
    folder_locked,
    scan_spool,
)
from centrex.voicemail.spool_files import Entry, Refused, Spool, Vanished, recent

logger = logging.getLogger(__name__)

UNHEARD_FOLDERS = {VoicemailMessage.Folder.INBOX, VoicemailMessage.Folder.URGENT}
IMPORT_ACTOR = "manage.py import_voicemail"
_DURATION_LINE = re.compile(rb"(?mi)^[ \t]*duration[ \t]*=")


class _Later(Exception):
    """Leave this message for the next run; the text says why."""


@dataclass
class ImportReport:
    imported: int = 0
    emailed_only: int = 0
    already_present: int = 0
    notified: int = 0
    converted: int = 0
    # Messages whose .txt needed the fallback encoding (a caller name that is not UTF-8).
    fallback_decoded: int = 0
    greetings: GreetingTally = field(default_factory=GreetingTally)
    # Of `later`, the greetings (the rest are messages).
    greetings_later: int = 0
    later: list[SpoolLater] = field(default_factory=list)
    rejected: list[SpoolProblem] = field(default_factory=list)
    email_failures: list[SpoolProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing was refused (messages left for the next run are not a failure)."""
        return not self.rejected and not self.email_failures


@dataclass
class Found:
    """A message read from the spool, its recording made playable, ready to be stored."""

    item: SpoolMessage
    info: MessageInfo
    playable: Playable

    @property
    def msg_id(self) -> str:
        return self.info.msg_id

    @property
    def folder(self) -> VoicemailMessage.Folder:
        return IMPORTED_FOLDERS[self.item.folder]

    @property
    def audio(self) -> bytes:
        return self.playable.path.read_bytes()


class _Accounts:
    """Mailbox number → account, one query per mailbox for the whole run."""

    def __init__(self) -> None:
        self._cache: dict[str, Account | None] = {}

    def owner(self, mailbox: str) -> Account:
        """The account of a mailbox that takes voicemail; SpoolError says why not."""
        try:
            validate_mailbox(mailbox)
        except ValidationError:
            # Asterisk allows any name (and a file name may be in no encoding at all); the
            # portal's mailboxes are numbers.
            raise SpoolError(f"no account has mailbox {mailbox!r} (not a mailbox number)") from None
        if mailbox not in self._cache:
            self._cache[mailbox] = (
                Account.objects.select_related("user", "mailbox_settings")
                .filter(mailbox=mailbox)
                .first()
            )
        account = self._cache[mailbox]
        if account is None:
            raise SpoolError(f"no account has mailbox {mailbox}")
        if not account.voicemail_enabled:
            raise SpoolError(f"voicemail is disabled for account {account}")
        return account


def _already_present(account: Account, ids: list[str]) -> bool:
    return (
        VoicemailMessage.objects.filter(account=account, msg_id__in=ids).exists()
        or DeletedVoicemail.objects.filter(account=account, msg_id__in=ids).exists()
    )


def _new_message(account: Account, found: Found) -> VoicemailMessage:
    info = found.info
    return VoicemailMessage(
        account=account,
        msg_id=info.msg_id,
        mailbox=found.item.mailbox,
        folder=found.folder,
        caller_name=info.caller_name,
        caller_number=info.caller_number,
        received_at=info.received_at,
        duration=info.duration or found.playable.duration,
        heard=found.folder not in UNHEARD_FOLDERS,
        original_format=found.playable.original_format,
    )


def store_message(account: Account, found: Found, *, actor: Actor) -> VoicemailMessage:
    """Save the message row and its files together, or none of them.

    Raises IntegrityError when the message is already there (a concurrent import).
    """
    message = _new_message(account, found)
    saved: list[str] = []
    try:
        with transaction.atomic():
            with found.playable.path.open("rb") as audio:
                message.audio_size = found.playable.path.stat().st_size
                message.audio.save("audio.wav", File(audio), save=False)
            saved.append(message.audio.name)
            if found.playable.original is not None:
                with found.playable.original.open("rb") as original:
                    message.original.save("original", File(original), save=False)
                saved.append(message.original.name)
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
        # The row is rolled back; the files must not outlive it.
        for name in saved:
            message.audio.storage.delete(name)
        raise
    return message


def _email_only(
    account: Account, found: Found, mailbox_settings: MailboxSettings, *, actor: Actor
) -> None:
    """Send the message with its audio and keep only its id (the customer asked for that)."""
    message = _new_message(account, found)
    send_notification(message, mailbox_settings, audio=found.audio, kept=False)
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
            folder=found.item.folder,
            to=mailbox_settings.notification_email,
        )


class _Run:
    """One import: the spool, the report, and what each message goes through."""

    def __init__(
        self,
        spool: Spool,
        *,
        dry_run: bool,
        fallback_encoding: str,
        actor: Actor,
        on_problem: Callable[[SpoolProblem], None] | None,
        on_later: Callable[[SpoolLater], None] | None,
    ):
        self.spool = spool
        self.dry_run = dry_run
        self.fallback_encoding = fallback_encoding
        self.actor = actor
        self.on_problem = on_problem
        self.on_later = on_later
        self.report = ImportReport()
        self.accounts = _Accounts()
        self.converter = Converter(find_sox())
        self.greetings = MailboxGreetings(
            spool,
            self.converter,
            self.report.greetings,
            dry_run=dry_run,
            actor=actor,
            guarded=partial(self.guarded, greeting=True),
        )

    def reject(self, problem: SpoolProblem, *, email: bool = False) -> None:
        (self.report.email_failures if email else self.report.rejected).append(problem)
        if self.on_problem:
            self.on_problem(problem)

    def later(self, item: SpoolLater) -> None:
        self.report.later.append(item)
        if self.on_later:
            self.on_later(item)

    def take(self, item: SpoolItem) -> None:
        if isinstance(item, SpoolProblem):
            self.reject(item)
        elif isinstance(item, SpoolLater):
            self.later(item)
        elif isinstance(item, SpoolGreetings):
            self.mailbox_greetings(item)
        else:
            self.guarded(self.spool.path(item.txt_parts), partial(self.message, item))

    def guarded(self, path: Path, work: Callable[[], None], *, greeting: bool = False) -> None:
        """Import one message or greeting; what goes wrong is reported against its path, and
        the rest of the spool goes on."""
        try:
            work()
        except (SpoolError, InfoError, RecordingError, Refused) as error:
            self.reject(SpoolProblem(path, str(error)))
        except Vanished as error:
            self.wait(path, f"{error}; left for the next run", greeting)
        except OSError as error:  # e.g. no room left for the conversion's temporary files
            self.reject(SpoolProblem(path, f"cannot read or convert it: {error}"))
        except (_Later, StillWriting) as error:
            self.wait(path, str(error), greeting)

    def wait(self, path: Path, reason: str, greeting: bool) -> None:
        self.report.greetings_later += greeting
        self.later(SpoolLater(path, reason))

    def mailbox_greetings(self, found: SpoolGreetings) -> None:
        try:
            account = self.accounts.owner(found.mailbox)
        except SpoolError as error:
            if found.recordings:  # a mailbox with nothing to import is nobody's concern
                path = self.spool.path(found.folder_parts)
                self.reject(SpoolProblem(path, f"greetings not imported: {error}"))
            return
        self.greetings.sync(account, found)

    def read_info(self, item: SpoolMessage) -> tuple[MessageInfo, Entry]:
        if item.txt.size > MAX_TXT_SIZE:
            raise SpoolError("the .txt file is too large to be a message information file")
        raw, entry = self.spool.read(item.txt_parts, MAX_TXT_SIZE)
        # A .txt without its last line (duration=) that changed just now is still being
        # written (a copy into the folder); an older one is complete as it is, and the
        # recording says how long the message is.
        if not _DURATION_LINE.search(raw) and recent(entry.mtime):
            raise _Later("the .txt has no duration= line yet: it is still being written")
        info = parse_message_info(raw, folder=item.folder, fallback=self.fallback_encoding)
        return info, entry

    def message(self, item: SpoolMessage) -> None:
        info, txt = self.read_info(item)
        account = self.accounts.owner(item.mailbox)
        if _already_present(account, info.ids):
            self.report.already_present += 1
            return
        with tempfile.TemporaryDirectory(prefix="konto-voicemail-") as workdir:
            playable = self.converter.prepare(
                self.spool, item.folder_parts, item.recordings, Path(workdir)
            )
            self.check_unchanged(item, txt)
            found = Found(item, info, playable)
            if self.dry_run or self.import_one(found, account):
                self.count(found)

    def check_unchanged(self, item: SpoolMessage, txt: Entry) -> None:
        """The switch renumbers a folder's messages after a deletion and moves heard ones to
        Old, under the folder's lock: a .txt that changed, or a lock that appeared, while the
        recording was read means the recording may be another message's."""
        now = self.spool.lstat(item.txt_parts)
        if (now.inode, now.size, now.mtime) != (txt.inode, txt.size, txt.mtime):
            raise _Later("it changed while being read (the switch moved or renumbered it)")
        if folder_locked(self.spool, item.folder_parts):
            raise _Later("Asterisk locked the folder (.lock) while it was being read")

    def count(self, found: Found) -> None:
        self.report.imported += 1
        self.report.converted += found.playable.original is not None
        self.report.fallback_decoded += found.info.used_fallback

    def import_one(self, found: Found, account: Account) -> bool:
        """Import one new message, and e-mail the customer as their settings say. False when
        it was not imported after all (another import got there first, storage failed)."""
        mailbox_settings = settings_for(account)
        path = self.spool.path(found.item.txt_parts)
        # Only new messages are announced: one the switch already filed in Old or another
        # folder was listened to on the phone, so it is imported quietly (and kept).
        announce = found.folder in UNHEARD_FOLDERS
        if announce and not mailbox_settings.keeps_messages:
            try:
                _email_only(account, found, mailbox_settings, actor=self.actor)
            except (smtplib.SMTPException, OSError) as error:
                logger.warning("Voicemail e-mail to %s failed: %s", account, error)
                problem = SpoolProblem(path, f"e-mail failed, message kept instead: {error}")
                self.reject(problem, email=True)
            else:
                self.report.emailed_only += 1
                self.report.notified += 1
                return True
        try:
            message = store_message(account, found, actor=self.actor)
        except IntegrityError:
            self.report.already_present += 1  # another import got there first
            return False
        except OSError as error:
            self.reject(SpoolProblem(path, f"cannot store the audio: {error}"))
            return False
        if announce and mailbox_settings.notification_email and mailbox_settings.keeps_messages:
            audio = found.audio if mailbox_settings.attaches_audio else None
            try:
                send_notification(message, mailbox_settings, audio=audio)
            except (smtplib.SMTPException, OSError) as error:
                logger.warning("Voicemail e-mail to %s failed: %s", account, error)
                self.reject(SpoolProblem(path, f"e-mail failed: {error}"), email=True)
            else:
                self.report.notified += 1
        return True


def import_spool(
    root: Path,
    *,
    context: str = "default",
    dry_run: bool = False,
    fallback_encoding: str = text.DEFAULT_FALLBACK_ENCODING,
    actor: Actor = IMPORT_ACTOR,
    on_problem: Callable[[SpoolProblem], None] | None = None,
    on_later: Callable[[SpoolLater], None] | None = None,
    progress: Callable[[Sequence[SpoolItem]], Iterable[SpoolItem]] | None = None,
) -> ImportReport:
    """Import the spool's messages that are new, each on its own, and e-mail the customers.

    A message is imported with its audio or not at all. Messages already imported (or deleted
    since) are counted as already present. Messages that cannot be imported are reported
    through `on_problem` and in the report; those the switch is still writing through
    `on_later`; the rest of the spool is imported regardless. Caller names that are not UTF-8
    are read in `fallback_encoding`.

    Greetings are kept in step with the spool (see `greetings`): new and re-recorded ones are
    stored, unchanged ones left alone, and those the switch no longer holds removed.

    E-mails go out for new messages only (INBOX, Urgent); messages the switch has already filed
    elsewhere (Old, Work…) were heard on the phone and are imported without one. When the
    customer chose "delete after e-mail" (audio attached), a new message is e-mailed with its
    audio and not kept in the portal's mailbox; only its id is remembered. If that e-mail
    cannot be sent, the message is kept in the mailbox instead, so nothing is lost.
    """
    run = _Run(
        Spool(root),
        dry_run=dry_run,
        fallback_encoding=fallback_encoding,
        actor=actor,
        on_problem=on_problem,
        on_later=on_later,
    )
    items = list(scan_spool(run.spool, context))
    for item in progress(items) if progress else items:
        run.take(item)
    return run.report
