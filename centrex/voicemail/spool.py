"""The switch's spool: Asterisk app_voicemail's folders and message information files.

Reading only; `centrex.voicemail.importer` turns what is found here into mailbox messages.
"""

from __future__ import annotations

import configparser
import hashlib
import re
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from centrex.voicemail.models import VoicemailMessage

# Folders of app_voicemail that hold messages we import, and ones that are none of our
# business (recordings in progress, the switch's own backup of deleted messages).
IMPORTED_FOLDERS = {folder.value: folder for folder in VoicemailMessage.Folder}
IGNORED_FOLDERS = {"tmp", "Deleted", "temp"}
MESSAGE_FILE = re.compile(r"^msg\d{4,}\.txt$")
MAX_TXT_SIZE = 64 * 1024

_CALLERID = re.compile(
    r'^\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<plain>[^<]*?))\s*<(?P<number>[^>]*)>\s*$'
)


class SpoolError(Exception):
    """A message in the spool that cannot be imported; the text says why (English)."""


def parse_callerid(value: str) -> tuple[str, str]:
    """`"Jan Kowalski" <48501234567>` → ("Jan Kowalski", "48501234567").

    Asterisk writes `Unknown` (or nothing) when the caller sent no caller ID; both give ("", "").
    """
    value = value.strip()
    match = _CALLERID.match(value)
    if match:
        name = match["quoted"] if match["quoted"] is not None else match["plain"]
        name = re.sub(r"\\(.)", r"\1", name).strip()
        number = match["number"].strip()
    elif re.fullmatch(r"\+?[\d*#]+", value):
        name, number = "", value
    else:
        name, number = value, ""
    if name.lower() in {"unknown", "anonymous", "<unknown>"}:
        name = ""
    if number.lower() in {"unknown", "anonymous"}:
        number = ""
    return name[:100], number[:64]


@dataclass
class SpoolMessage:
    """One message found in the spool: where it is and what its .txt says."""

    txt_path: Path
    mailbox: str
    folder: str
    msg_id: str = ""
    caller_name: str = ""
    caller_number: str = ""
    received_at: datetime | None = None
    duration: int = 0

    @property
    def wav_path(self) -> Path:
        return self.txt_path.with_suffix(".wav")


def _wav_duration(path: Path) -> int:
    try:
        with wave.open(str(path), "rb") as audio:
            rate = audio.getframerate()
            return round(audio.getnframes() / rate) if rate else 0
    except (wave.Error, EOFError, OSError):
        return 0


def check_audio(path: Path) -> None:
    """Raise SpoolError unless `path` is a non-empty RIFF/WAVE file."""
    try:
        with path.open("rb") as audio:
            header = audio.read(12)
    except FileNotFoundError:
        raise SpoolError("missing audio file (.wav)") from None
    except OSError as error:
        raise SpoolError(f"cannot read the audio file: {error.strerror}") from None
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        raise SpoolError("the audio file is not a WAV file")


def read_message_file(message: SpoolMessage) -> SpoolMessage:
    """Fill `message` from its .txt (Asterisk's INI-style message information file).

    Raises SpoolError for anything that makes the message unusable: no [message] section, a
    missing or impossible origtime, a bad duration, an unreadable or oversized file.
    """
    path = message.txt_path
    try:
        if path.stat().st_size > MAX_TXT_SIZE:
            raise SpoolError("the .txt file is too large to be a message information file")
        raw = path.read_bytes()
    except OSError as error:
        raise SpoolError(f"cannot read the .txt file: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # old switches write caller names in Latin-1
    parser = configparser.ConfigParser(
        interpolation=None, strict=False, comment_prefixes=(";", "#"), inline_comment_prefixes=None
    )
    try:
        parser.read_string(text, source=str(path))
    except configparser.MissingSectionHeaderError:
        raise SpoolError("no [message] section") from None
    except configparser.Error as error:
        raise SpoolError(f"not a message information file ({error.__class__.__name__})") from None
    if not parser.has_section("message"):
        raise SpoolError("no [message] section")
    section = parser["message"]

    origtime = section.get("origtime", "").strip()
    try:
        seconds = int(origtime)
    except ValueError:
        raise SpoolError(f"bad origtime {origtime!r} (expected Unix seconds)") from None
    if not 0 < seconds < 2**33:
        raise SpoolError(f"bad origtime {origtime!r} (out of range)")
    message.received_at = datetime.fromtimestamp(seconds, tz=UTC)

    duration = section.get("duration", "").strip()
    if duration:
        try:
            message.duration = int(duration)
        except ValueError:
            raise SpoolError(f"bad duration {duration!r} (expected seconds)") from None
        if message.duration < 0:
            raise SpoolError(f"bad duration {duration!r} (negative)")
    else:
        message.duration = _wav_duration(message.wav_path)

    message.caller_name, message.caller_number = parse_callerid(section.get("callerid", ""))
    message.msg_id = section.get("msg_id", "").strip()
    if not message.msg_id:
        # Switches older than Asterisk 11 write no msg_id: derive a stable one from what the
        # message says about itself (not from its file name, which changes when it is moved).
        basis = "|".join(
            [origtime, section.get("callerid", ""), section.get("origmailbox", ""), duration]
        )
        message.msg_id = "legacy-" + hashlib.sha256(basis.encode()).hexdigest()[:24]
    if len(message.msg_id) > 64:
        raise SpoolError("msg_id longer than 64 characters")
    return message


@dataclass
class SpoolProblem:
    path: Path
    reason: str


def scan_spool(root: Path, context: str = "default") -> Iterator[SpoolMessage | SpoolProblem]:
    """Walk `<root>/<context>/<mailbox>/<folder>/msgNNNN.txt`, in a stable order.

    Yields a SpoolMessage per .txt (not yet read) and a SpoolProblem for folders that are not
    Asterisk's. Greeting files, `tmp` and `Deleted` are skipped silently.
    """

    def listing(directory: Path) -> Iterator[Path | SpoolProblem]:
        try:
            yield from sorted(directory.iterdir())
        except OSError as error:
            yield SpoolProblem(directory, f"cannot list the folder: {error.strerror}")

    for mailbox_dir in listing(root / context):
        if isinstance(mailbox_dir, SpoolProblem):
            yield mailbox_dir
            continue
        if not mailbox_dir.is_dir():
            continue
        for folder_dir in listing(mailbox_dir):
            if isinstance(folder_dir, SpoolProblem):
                yield folder_dir
                continue
            if not folder_dir.is_dir() or folder_dir.name in IGNORED_FOLDERS:
                continue  # greeting recordings (busy.wav, unavail.wav…), tmp, Deleted
            if folder_dir.name not in IMPORTED_FOLDERS:
                yield SpoolProblem(folder_dir, "not a voicemail folder Konto imports")
                continue
            for txt in listing(folder_dir):
                if isinstance(txt, SpoolProblem):
                    yield txt
                elif MESSAGE_FILE.match(txt.name) and txt.is_file():
                    yield SpoolMessage(txt, mailbox=mailbox_dir.name, folder=folder_dir.name)
