"""The mailbox's greetings, kept in step with the switch's spool at each import.

The spool is the truth: a greeting the switch holds is in the portal, one the customer recorded
again replaces the old one, and one the switch no longer holds (the customer removed the
temporary greeting from the phone menu, an operator cleaned the mailbox) goes from the portal
too. A greeting is known by a hash of its files, so a rerun reads them but converts and writes
nothing. Each greeting on its own: one that cannot be imported is reported and the portal keeps
what it had of it; the rest of the mailbox goes on.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from functools import partial
from pathlib import Path

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import Actor, record
from accounts.models import Account
from centrex.voicemail.models import VoicemailGreeting
from centrex.voicemail.recordings import (
    MAX_RECORDING_SIZE,
    Converter,
    Playable,
    RecordingError,
    StillWriting,
)
from centrex.voicemail.services import delete_greeting
from centrex.voicemail.spool import SpoolError, SpoolGreetings
from centrex.voicemail.spool_files import CHUNK, Entry, Spool, recent


@dataclass
class GreetingTally:
    """What an import did to the greetings (a dry run counts what it would have done)."""

    imported: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


class Stored(Enum):
    IMPORTED = "imported"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # another import stored the same greeting first


def spool_digest(spool: Spool, folder: tuple[str, ...], recordings: Mapping[str, Entry]) -> str:
    """SHA-256 of a greeting's files, every format, read from the spool (never through a link).

    Raises StillWriting when a file is not the one listed any more, RecordingError when it is
    too large to be a greeting (and spool_files.Refused / Vanished).
    """
    digest = hashlib.sha256()
    for ext in sorted(recordings):
        listed = recordings[ext]
        with spool.open([*folder, listed.name]) as (handle, opened):
            if (opened.inode, opened.size, opened.mtime) != (
                listed.inode,
                listed.size,
                listed.mtime,
            ):
                raise StillWriting(f"{listed.name} changed while being read")
            if opened.size > MAX_RECORDING_SIZE:
                raise RecordingError(f"{listed.name}: larger than a recording can be")
            digest.update(f"{ext}\0{opened.size}\0".encode())
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def files_signature(recordings: Mapping[str, Entry]) -> str:
    """A digest of the files' names, sizes and modification times, as the listing saw them."""
    listed = sorted((entry.name, entry.size, repr(entry.mtime)) for entry in recordings.values())
    return hashlib.sha256(repr(listed).encode()).hexdigest()


def _check_unchanged(spool: Spool, folder: tuple[str, ...], recordings: Mapping[str, Entry]):
    # The customer may record the greeting again while we convert it: the hash and the audio
    # must be of the same recording.
    for listed in recordings.values():
        now = spool.lstat([*folder, listed.name])
        if (now.inode, now.size, now.mtime) != (listed.inode, listed.size, listed.mtime):
            raise StillWriting(f"{listed.name} changed while being read")


def _write(
    account: Account,
    kind: VoicemailGreeting.Kind,
    playable: Playable,
    *,
    content_hash: str,
    signature: str,
    recorded_at: datetime,
    actor: Actor,
    saved: list[str],
) -> Stored:
    # The row is locked, so two imports at once neither both replace it nor leave files behind.
    current = (
        VoicemailGreeting.objects.select_for_update().filter(account=account, kind=kind).first()
    )
    if current is not None and current.content_hash == content_hash:
        return Stored.UNCHANGED
    greeting = current or VoicemailGreeting(account=account, kind=kind)
    replaced = [stored.name for stored in (greeting.audio, greeting.original) if stored]
    # Before the files are saved: the original's name takes the format's extension.
    greeting.original_format = playable.original_format
    with playable.path.open("rb") as audio:
        greeting.audio.save("audio.wav", File(audio), save=False)
    saved.append(greeting.audio.name)
    if playable.original is not None:
        with playable.original.open("rb") as original:
            greeting.original.save("original", File(original), save=False)
        saved.append(greeting.original.name)
    else:
        greeting.original = ""  # a FileField takes "" for no file
    greeting.audio_size = playable.path.stat().st_size
    greeting.duration = playable.duration
    greeting.content_hash = content_hash
    greeting.files_signature = signature
    greeting.recorded_at = recorded_at
    greeting.imported_at = timezone.now()
    greeting.save()
    storage = greeting.audio.storage
    for name in replaced:
        transaction.on_commit(partial(storage.delete, name))
    record(
        "voicemail.greeting_replaced" if current else "voicemail.greeting_imported",
        account=account,
        actor=actor,
        message="Voicemail greeting recorded again" if current else "Voicemail greeting imported",
        greeting=str(kind),
        original_format=greeting.original_format,
        duration=greeting.duration,
    )
    return Stored.UPDATED if current else Stored.IMPORTED


def store_greeting(
    account: Account,
    kind: VoicemailGreeting.Kind,
    playable: Playable,
    *,
    content_hash: str,
    signature: str,
    recorded_at: datetime,
    actor: Actor,
) -> Stored:
    """Save the greeting (new, or in place of the one recorded before) with its files, audited;
    or nothing at all. The replaced files go once the change is committed."""
    saved: list[str] = []
    storage = VoicemailGreeting._meta.get_field("audio").storage
    try:
        with transaction.atomic():
            return _write(
                account,
                kind,
                playable,
                content_hash=content_hash,
                signature=signature,
                recorded_at=recorded_at,
                actor=actor,
                saved=saved,
            )
    except IntegrityError:
        # Another import created it first (there was no row to lock).
        for name in saved:
            storage.delete(name)
        return Stored.UNCHANGED
    except BaseException:
        # The row is rolled back; the files must not outlive it.
        for name in saved:
            storage.delete(name)
        raise


class MailboxGreetings:
    """Bring the greetings of one mailbox in step with the spool, one greeting at a time.

    `guarded(path, work)` runs one greeting's import and reports what goes wrong against its
    path (the importer's rules for messages: refused, left for the next run…).
    """

    def __init__(
        self,
        spool: Spool,
        converter: Converter,
        tally: GreetingTally,
        *,
        dry_run: bool,
        actor: Actor,
        guarded: Callable[[Path, Callable[[], None]], None],
    ):
        self.spool = spool
        self.converter = converter
        self.tally = tally
        self.dry_run = dry_run
        self.actor = actor
        self.guarded = guarded

    def sync(self, account: Account, found: SpoolGreetings) -> None:
        existing = {greeting.kind: greeting for greeting in account.voicemail_greetings.all()}
        for kind in VoicemailGreeting.Kind:
            current = existing.get(kind.value)
            if kind.value in found.refused:
                continue  # reported by the scan; what the switch holds is unknown
            if kind.value in found.recordings:
                work = partial(self.one, account, found, kind, current)
                self.guarded(self.spool.path(found.parts(kind)), work)
            elif current is not None:
                self.tally.removed += 1
                if not self.dry_run:
                    delete_greeting(current, actor=self.actor, removed_from_switch=True)

    def one(
        self,
        account: Account,
        found: SpoolGreetings,
        kind: VoicemailGreeting.Kind,
        current: VoicemailGreeting | None,
    ) -> None:
        recordings = found.recordings[kind.value]
        folder = found.folder_parts
        signature = files_signature(recordings)
        if current is not None and current.files_signature == signature:
            self.tally.unchanged += 1  # the files are as imported: not even read
            return
        if any(recent(entry.mtime) for entry in recordings.values()):
            # Asterisk writes a greeting in place as the customer speaks.
            raise StillWriting("changed in the last minute: it may still be being recorded")
        content_hash = spool_digest(self.spool, folder, recordings)
        if current is not None and current.content_hash == content_hash:
            # Touched or copied again, the same recording: nothing to write.
            self.tally.unchanged += 1
            return
        recorded_at = datetime.fromtimestamp(max(e.mtime for e in recordings.values()), tz=UTC)
        with tempfile.TemporaryDirectory(prefix="konto-greeting-") as workdir:
            playable = self.converter.prepare(self.spool, folder, recordings, Path(workdir))
            _check_unchanged(self.spool, folder, recordings)
            if self.dry_run:
                stored = Stored.UPDATED if current else Stored.IMPORTED
            else:
                stored = self.store(account, kind, playable, content_hash, signature, recorded_at)
        if stored is Stored.IMPORTED:
            self.tally.imported += 1
        elif stored is Stored.UPDATED:
            self.tally.updated += 1
        else:
            self.tally.unchanged += 1

    def store(
        self,
        account: Account,
        kind: VoicemailGreeting.Kind,
        playable: Playable,
        content_hash: str,
        signature: str,
        recorded_at: datetime,
    ) -> Stored:
        try:
            return store_greeting(
                account,
                kind,
                playable,
                content_hash=content_hash,
                signature=signature,
                recorded_at=recorded_at,
                actor=self.actor,
            )
        except OSError as error:  # the storage is full or gone
            raise SpoolError(f"cannot store the audio: {error}") from error
