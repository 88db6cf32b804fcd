"""A message information file (msgNNNN.txt) as app_voicemail writes it, read from its bytes.

    ;
    ; Message Information file
    ;
    [message]
    origmailbox=1001
    context=from-internal
    exten=1001
    rdnis=unknown
    priority=2
    callerchan=PJSIP/trunk-00000042
    callerid="Jan Kowalski" <48501234567>
    origdate=Sun Nov 15 09:00:00 AM UTC 2026
    origtime=1794733200
    category=
    msg_id=1794733200-00000000      (Asterisk 11 and newer)
    flag=                           (Asterisk 1.6.2 and newer: "Urgent", "PRIORITY" or empty)
    duration=4

The caller's name is whatever bytes the phone or the trunk sent: each value is decoded on its
own (accounts.text.decode: UTF-8, else the operator's legacy code page).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from accounts import text

MAX_TXT_SIZE = 64 * 1024
# A voicemail is minutes long; anything past a day is a broken file, not a long message.
MAX_DURATION = 24 * 3600
# Asterisk did not exist before 1999: an earlier origtime is a clock that was never set.
MIN_ORIGTIME = 946684800  # 2000-01-01
MAX_ORIGTIME = 4102444800  # 2100-01-01
MAX_MSG_ID = 64

_NUMBER = re.compile(rb"\d{1,18}")
_ESCAPED = re.compile(r'^\s*"(?P<name>(?:[^"\\]|\\.)*)"\s*<(?P<number>[^>]*)>\s*$')
# Before Asterisk 11, ast_callerid_merge() did not escape quotes inside the name.
_UNESCAPED = re.compile(r'^\s*"(?P<name>.*)"\s*<(?P<number>[^>]*)>\s*$')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PLAIN = re.compile(r"^(?P<name>[^<]*?)\s*<(?P<number>[^>]*)>\s*$")

# What the legacy id is made of: what app_voicemail writes once, when the message is left, and
# copies verbatim when the message is moved to another folder (save_to_folder) or copied to
# another mailbox. The channel name (callerchan) carries a per-call sequence number, so two
# callers in the same second still differ.
_IDENTITY_KEYS = (
    "origmailbox",
    "context",
    "macrocontext",
    "exten",
    "priority",
    "callerchan",
    "callerid",
    "origtime",
    "category",
    "duration",
)


class InfoError(Exception):
    """The .txt cannot be read as a message; the text says why (English)."""


def parse_callerid(value: str) -> tuple[str, str]:
    """`"Jan Kowalski" <48501234567>` → ("Jan Kowalski", "48501234567").

    Asterisk writes `Unknown` (or nothing) when the caller sent no caller ID; both give ("", "").
    """
    value = value.strip()
    for pattern in (_ESCAPED, _UNESCAPED, _PLAIN):
        match = pattern.match(value)
        if match:
            name = match["name"]
            if pattern is _ESCAPED:
                name = re.sub(r"\\(.)", r"\1", name)
            name, number = name.strip(), match["number"].strip()
            break
    else:
        if re.fullmatch(r"\+?[\d*#]+", value):
            name, number = "", value
        else:
            name, number = value, ""
    if name.lower() in {"unknown", "anonymous", "<unknown>"}:
        name = ""
    if number.lower() in {"unknown", "anonymous"}:
        number = ""
    return name[:100], number[:64]


def _sections(raw: bytes) -> dict[bytes, dict[bytes, bytes]]:
    """Asterisk's config syntax, as far as message files use it: `[section]`, `key=value` (or
    `key => value`), `;` comment lines. Keys are case-insensitive, as ast_variable_retrieve()
    compares them; a repeated key keeps its last value."""
    sections: dict[bytes, dict[bytes, bytes]] = {}
    current: dict[bytes, bytes] | None = None
    for number, line in enumerate(raw.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith(b";"):
            continue
        if line.startswith(b"[") and line.endswith(b"]"):
            current = sections.setdefault(line[1:-1].strip().lower(), {})
            continue
        key, equals, value = line.partition(b"=")
        if not equals:
            raise InfoError(f"line {number} is neither [section] nor key=value")
        if current is not None:
            current[key.strip().lower()] = value.removeprefix(b">").strip()
    return sections


def _whole_number(values: dict[bytes, bytes], key: str) -> int | None:
    raw = values.get(key.encode(), b"")
    if not raw:
        return None
    if not _NUMBER.fullmatch(raw):
        shown = raw.decode("ascii", "replace")[:40]
        raise InfoError(f"bad {key} {shown!r} (expected a whole number of seconds)")
    return int(raw)


@dataclass
class MessageInfo:
    """What a .txt says about its message."""

    received_at: datetime
    duration: int | None  # None: the file says nothing (or 0); the recording's length counts
    caller_name: str = ""
    caller_number: str = ""
    msg_id: str = ""
    # Ids this message may have been imported under by earlier versions of Konto.
    earlier_ids: list[str] = field(default_factory=list)
    # Whether a value needed the fallback encoding (it was not UTF-8).
    used_fallback: bool = False

    @property
    def ids(self) -> list[str]:
        return [self.msg_id, *self.earlier_ids]


def legacy_id(values: dict[bytes, bytes], folder: str) -> str:
    """A stable id for a message without msg_id (Asterisk before 11).

    Made of the message's own raw bytes, never of its file name: Asterisk renumbers msgNNNN
    after every deletion, and moves a message to Old by copying it. Nor of decoded text, which
    would change with --fallback-encoding. The folder is left out for the same reason (a
    message heard on the phone moves INBOX → Old and stays the same message), except for one
    distinction: a message in Urgent, or flagged Urgent, is told from an INBOX message with the
    same contents, because a forward to one's own mailbox with "urgent" puts such a copy there.
    """
    urgent = folder == "Urgent" or values.get(b"flag", b"").lower() == b"urgent"
    parts = [values.get(key.encode(), b"") for key in _IDENTITY_KEYS]
    parts.append(b"urgent" if urgent else b"")
    digest = hashlib.sha256(b"\x00".join(parts)).hexdigest()
    return f"legacy2-{digest[:32]}"


def _first_legacy_id(raw: bytes, values: dict[bytes, bytes]) -> str:
    """The id Konto's first import gave a message without msg_id, so that upgrading does not
    import those messages (and e-mail the customers) a second time. It read the whole file as
    UTF-8, else Latin-1, and hashed origtime|callerid|origmailbox|duration."""
    try:
        raw.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "latin-1"
    keys = ("origtime", "callerid", "origmailbox", "duration")
    basis = "|".join(values.get(key.encode(), b"").decode(encoding) for key in keys)
    return "legacy-" + hashlib.sha256(basis.encode()).hexdigest()[:24]


def parse_message_info(raw: bytes, *, folder: str, fallback: str) -> MessageInfo:
    """Read a .txt's bytes. Raises InfoError for anything that makes the message unusable."""
    if b"\x00" in raw:
        raise InfoError("the .txt holds NUL bytes: not a message information file")
    values = _sections(raw).get(b"message")
    if values is None:
        raise InfoError("no [message] section")

    used_fallback = False

    def decoded(key: str) -> str:
        nonlocal used_fallback
        value, fell_back = text.decode(values.get(key.encode(), b""), fallback)
        used_fallback |= fell_back
        return _CONTROL.sub("", value)

    origtime = _whole_number(values, "origtime")
    if origtime is None:
        raise InfoError("no origtime (when the message was left)")
    if not MIN_ORIGTIME <= origtime < MAX_ORIGTIME:
        raise InfoError(f"bad origtime {origtime} (out of range: not between 2000 and 2100)")
    duration = _whole_number(values, "duration")
    if duration is not None and duration > MAX_DURATION:
        raise InfoError(f"bad duration {duration} (more than a day)")

    name, number = parse_callerid(decoded("callerid"))
    msg_id = decoded("msg_id").strip()
    if len(msg_id) > MAX_MSG_ID:
        raise InfoError(f"msg_id longer than {MAX_MSG_ID} characters")
    earlier_ids = []
    if not msg_id:
        msg_id = legacy_id(values, folder)
        earlier_ids.append(_first_legacy_id(raw, values))
    return MessageInfo(
        received_at=datetime.fromtimestamp(origtime, tz=UTC),
        duration=duration or None,
        caller_name=name,
        caller_number=number,
        msg_id=msg_id,
        earlier_ids=earlier_ids,
        used_fallback=used_fallback,
    )
