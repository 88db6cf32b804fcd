"""Builders for the voicemail tests: WAV audio, spool files as Asterisk writes them, messages."""

from __future__ import annotations

import io
import itertools
import wave
from datetime import UTC, datetime
from pathlib import Path

from django.core.files.base import ContentFile

from accounts.models import Account
from centrex.voicemail.models import VoicemailMessage

_sequence = itertools.count(1)

# 15 Nov 2026, 09:00 UTC: 10:00 in Warsaw.
ORIGTIME = 1794733200


def wav_bytes(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """An 8 kHz mono 16-bit PCM WAV (the switch's format) whose samples count up, so that any
    byte range of it can be told from any other."""
    frames = bytes(i % 251 for i in range(int(seconds * rate) * 2))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(frames)
    return buffer.getvalue()


def enable_voicemail(account: Account, mailbox: str = "1001") -> Account:
    account.voicemail_enabled = True
    account.mailbox = mailbox
    account.save(update_fields=["voicemail_enabled", "mailbox"])
    return account


def make_message(account: Account, *, audio: bytes | None = None, **fields) -> VoicemailMessage:
    n = next(_sequence)
    defaults = {
        "msg_id": f"{ORIGTIME + n}-{n:08d}",
        "mailbox": account.mailbox or "",
        "folder": VoicemailMessage.Folder.INBOX,
        "caller_name": "Jan Kowalski",
        "caller_number": "48501234567",
        "received_at": datetime.fromtimestamp(ORIGTIME + n, tz=UTC),
        "duration": 4,
    }
    defaults.update(fields)
    message = VoicemailMessage(account=account, **defaults)
    data = wav_bytes() if audio is None else audio
    message.audio_size = len(data)
    message.audio.save("audio.wav", ContentFile(data), save=False)
    message.save()
    return message


def message_txt(
    *,
    callerid: str = '"Jan Kowalski" <48501234567>',
    origtime: int | str = ORIGTIME,
    msg_id: str | None = None,
    duration: int | str = 1,
    mailbox: str = "1001",
) -> str:
    """A message information file as app_voicemail writes it."""
    lines = [
        ";",
        "; Message Information file",
        ";",
        "[message]",
        f"origmailbox={mailbox}",
        "context=from-internal",
        "macrocontext=",
        f"exten={mailbox}",
        "rdnis=unknown",
        "priority=2",
        "callerchan=PJSIP/trunk-00000042",
        f"callerid={callerid}",
        "origdate=Sun Nov 15 09:00:00 AM UTC 2026",
        f"origtime={origtime}",
        "category=",
    ]
    if msg_id != "":
        lines.append(f"msg_id={msg_id or f'{origtime}-00000000'}")
    lines += ["flag=", f"duration={duration}", ""]
    return "\n".join(lines)


def write_spool_message(
    root: Path,
    mailbox: str = "1001",
    folder: str = "INBOX",
    number: int = 0,
    *,
    txt: str | None = None,
    audio: bytes | None = None,
    context: str = "default",
    **txt_fields,
) -> Path:
    """Write msgNNNN.txt (+ .wav unless audio=b"") into the spool; returns the .txt path."""
    directory = root / context / mailbox / folder
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"msg{number:04d}.txt"
    path.write_text(txt if txt is not None else message_txt(mailbox=mailbox, **txt_fields))
    if audio != b"":
        path.with_suffix(".wav").write_bytes(audio if audio is not None else wav_bytes())
    return path
