"""The switch's spool: app_voicemail's folders, messages and greetings, as found on disk.

    <spool>/<context>/<mailbox>/INBOX/msg0000.txt      the message information file
                                      msg0000.wav      its recording, once per format= of
                                      msg0000.WAV      voicemail.conf (see audio_formats)
                               Old/ Work/ Family/ Friends/ Cust1/ … Cust5/ Urgent/
                               Deleted/                the switch's own copies of deleted ones
                               tmp/                    messages being recorded
                               unavail.wav busy.wav greet.wav temp.wav   greetings (one file
                               unavail.WAV busy.gsm …                    per format= too)

How a message gets into a folder (app_voicemail.c, leave_voicemail, copy_message and
msg_create_from_file, Asterisk 1.4 to 22): it is recorded into tmp/, where its .txt is created
before the beep and gets its last lines (flag=, duration=) when the caller hangs up; then, with
the folder locked (Asterisk's `.lock` file), the recordings are renamed (or copied) into the
folder first and the .txt last. So a .txt in a folder means the message is complete, except
while the folder is locked (a copy may be writing the .txt) — which is what this module and the
importer watch for: tmp/ is never read, a locked folder waits for the next run, and so does a
.txt without its duration= line that is still being written (see importer).

Greetings are different: app_voicemail records them in place, straight into `unavail.wav` and
its siblings (vm_options, vm_tempgreeting → play_record_review), with no tmp/ and no lock, and
the WAV header gets its sizes only when the recording ends. So a greeting whose files changed
in the last minute may still be being recorded, and waits for the next run (see greetings).

Reading only; `centrex.voicemail.importer` turns what is found here into mailbox messages and
greetings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from centrex.voicemail.audio_formats import BY_EXT
from centrex.voicemail.models import VoicemailGreeting, VoicemailMessage
from centrex.voicemail.spool_files import Entry, Refused, Spool, Vanished, recent, refusal

# Folders of app_voicemail that hold messages we import (its mailbox_folders[], less Deleted).
IMPORTED_FOLDERS = {folder.value: folder for folder in VoicemailMessage.Folder}
# Recordings in progress, and the switch's backup of deleted messages: none of our business.
SILENT_FOLDERS = {"tmp", "Deleted"}
# The mailbox's greetings: unavailable, busy, the recorded name and the temporary greeting, each
# a file per format beside the folders. Asterisk up to 1.4 also made empty folders of these
# names (it never used them, and stopped in 2007): a folder named so is not a greeting.
GREETINGS = {kind.value for kind in VoicemailGreeting.Kind}
# Asterisk holds a folder's lock for the moment it moves or copies a message, and gives up
# waiting for one after 5 s: an older `.lock` was left behind by a crash and means nothing.
LOCK_FRESH_SECONDS = 60

_MESSAGE_FILE = re.compile(r"^(msg\d{4,})\.(.+)$")


class SpoolError(Exception):
    """A message in the spool that cannot be imported; the text says why (English)."""


@dataclass
class SpoolProblem:
    """Something in the spool that is refused (reported; the exit status says so)."""

    path: Path
    reason: str


@dataclass
class SpoolLater:
    """A message left for the next run: the switch is still writing it."""

    path: Path
    reason: str


@dataclass
class SpoolGreetings:
    """A mailbox's greetings as the spool holds them now: kind → its recordings (ext → file).

    One per mailbox folder that could be listed, even one with no greetings, so the import can
    take out of the portal what the switch no longer has. `refused` holds the kinds with a link,
    a FIFO or the like among their files (each reported on its own): the portal keeps what it
    has of those, since what the switch holds cannot be known.
    """

    context: str
    mailbox: str
    recordings: dict[str, dict[str, Entry]] = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)

    @property
    def folder_parts(self) -> tuple[str, str]:
        return (self.context, self.mailbox)

    def parts(self, kind: str) -> tuple[str, str, str]:
        """The greeting's path without an extension, as Asterisk names it (`…/1001/unavail`)."""
        return (self.context, self.mailbox, kind)


@dataclass
class SpoolMessage:
    """One message found in a folder: its .txt and its recordings (extension → file)."""

    context: str
    mailbox: str
    folder: str
    txt: Entry
    recordings: dict[str, Entry] = field(default_factory=dict)

    @property
    def folder_parts(self) -> tuple[str, str, str]:
        return (self.context, self.mailbox, self.folder)

    @property
    def txt_parts(self) -> tuple[str, str, str, str]:
        return (*self.folder_parts, self.txt.name)


SpoolItem = SpoolMessage | SpoolProblem | SpoolLater | SpoolGreetings


def folder_locked(spool: Spool, folder: tuple[str, ...]) -> bool:
    """Whether Asterisk is moving or copying a message in this folder right now."""
    try:
        lock = spool.lstat([*folder, ".lock"])
    except (Vanished, Refused):
        return False
    return recent(lock.mtime, LOCK_FRESH_SECONDS)


def scan_spool(spool: Spool, context: str = "default") -> Iterator[SpoolItem]:
    """Walk `<context>/<mailbox>/<folder>/msgNNNN.*`, in a stable order (nothing is read yet).

    Yields a SpoolMessage per .txt in a message folder, a SpoolGreetings per mailbox, and a
    SpoolProblem for what is refused: folders that are not Asterisk's, and symbolic links,
    FIFOs and other non-regular files where Konto would read.
    """
    try:
        mailboxes = spool.listing([context])
    except (Refused, Vanished) as error:
        yield SpoolProblem(spool.path([context]), f"cannot list the folder: {error}")
        return
    for mailbox in mailboxes:
        if mailbox.is_dir:
            yield from _scan_mailbox(spool, context, mailbox.name)
        elif not mailbox.is_file:  # e.g. FreePBX's device context: links to default's boxes
            yield SpoolProblem(spool.path([context, mailbox.name]), refusal(mailbox.mode))


def _scan_mailbox(spool: Spool, context: str, mailbox: str) -> Iterator[SpoolItem]:
    try:
        entries = spool.listing([context, mailbox])
    except (Refused, Vanished) as error:
        yield SpoolProblem(spool.path([context, mailbox]), f"cannot list the folder: {error}")
        return
    greetings = SpoolGreetings(context, mailbox)
    for entry in entries:
        path = spool.path([context, mailbox, entry.name])
        stem, _dot, ext = entry.name.partition(".")
        if stem in GREETINGS:
            if ext in BY_EXT and entry.is_file:
                greetings.recordings.setdefault(stem, {})[ext] = entry
            elif ext in BY_EXT:
                greetings.refused.add(stem)
                yield SpoolProblem(path, refusal(entry.mode))
            # Anything else (Asterisk 1.4's empty folders, backups) is none of the greeting.
        elif entry.name in SILENT_FOLDERS:
            continue
        elif entry.name in IMPORTED_FOLDERS and not entry.is_dir:
            yield SpoolProblem(
                path, "a file, not a folder" if entry.is_file else refusal(entry.mode)
            )
        elif entry.name in IMPORTED_FOLDERS:
            yield from _scan_folder(spool, (context, mailbox, entry.name))
        elif entry.is_dir:
            yield SpoolProblem(path, "not a voicemail folder Konto imports")
    yield greetings


def _scan_folder(spool: Spool, folder: tuple[str, str, str]) -> Iterator[SpoolItem]:
    try:
        entries = spool.listing(folder)
    except (Refused, Vanished) as error:
        yield SpoolProblem(spool.path(folder), f"cannot list the folder: {error}")
        return
    files: dict[str, dict[str, Entry]] = {}
    refused: dict[str, list[Entry]] = {}
    for entry in entries:
        match = _MESSAGE_FILE.match(entry.name)
        if not match or (match[2] != "txt" and match[2] not in BY_EXT):
            continue  # not a file of a message (.lock, editor backups…)
        stem, ext = match.groups()
        if entry.is_file:
            files.setdefault(stem, {})[ext] = entry
        else:
            refused.setdefault(stem, []).append(entry)
    locked = folder_locked(spool, folder)
    for stem in sorted(files.keys() | refused.keys()):
        if stem in refused:
            for entry in refused[stem]:
                yield SpoolProblem(spool.path([*folder, entry.name]), refusal(entry.mode))
            continue
        recordings = files[stem]
        txt = recordings.pop("txt", None)
        if txt is None:
            continue  # recordings whose .txt is not there yet (or no more): not a message
        if locked:
            yield SpoolLater(
                spool.path([*folder, txt.name]),
                "Asterisk has locked the folder (.lock): a message is being moved or copied",
            )
            continue
        yield SpoolMessage(*folder, txt=txt, recordings=recordings)
