"""A message's recording, made playable in the browser: as it is, or converted with sox.

A PCM WAV (voicemail.conf's `wav`, `wav16`) is stored as the switch wrote it. Any other format
is converted at import into a 16-bit PCM mono WAV at the recording's own rate (at most 48 kHz),
which every browser plays and seeks in; the switch's file is kept beside it for download.
Converting needs Debian's `sox` (which brings libsox-fmt-base, where GSM lives); without it,
only PCM WAV recordings can be imported and the others wait, with the reason, for a later run.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from centrex.voicemail.audio_formats import BY_EXT, PREFERENCE, AudioFormat
from centrex.voicemail.spool_files import Entry, Spool, TooLarge, recent

# A 24-hour message in 16-bit PCM at 16 kHz is 2.7 GB; a real one is a few MB.
MAX_RECORDING_SIZE = 256 * 1024 * 1024
SOX_TIMEOUT = 300
MAX_PLAYABLE_RATE = 48000
_PCM, _EXTENSIBLE = 0x0001, 0xFFFE
_PCM_GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


class RecordingError(Exception):
    """No playable recording could be made; the text says why (English, for the operator)."""


class StillWriting(Exception):
    """A recording is still being written into the spool: the message waits for the next run."""


@dataclass(frozen=True)
class WavInfo:
    format_tag: int
    channels: int
    rate: int
    bits: int
    byte_rate: int
    data_size: int  # what the header says
    available: int  # what the file holds after the data chunk's header

    @property
    def pcm(self) -> bool:
        return self.format_tag == _PCM and self.bits in (8, 16)

    @property
    def playable(self) -> bool:
        return self.pcm and 1 <= self.channels <= 2 and 8000 <= self.rate <= MAX_PLAYABLE_RATE

    @property
    def truncated(self) -> bool:
        return self.data_size > self.available

    @property
    def duration(self) -> int:
        if not self.byte_rate:
            return 0
        return round(min(self.data_size, self.available) / self.byte_rate)


def wav_info(path: Path) -> WavInfo | None:
    """The format of a RIFF/WAVE file, or None when it is not one."""
    size = path.stat().st_size
    with path.open("rb") as wav:
        riff = wav.read(12)
        if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
            return None
        fmt: tuple[int, int, int, int, int] | None = None
        while len(header := wav.read(8)) == 8:
            chunk, length = header[:4], struct.unpack("<I", header[4:])[0]
            if chunk == b"fmt " and length >= 16:
                body = wav.read(min(length, 40))
                if len(body) < 16:
                    return None
                tag, channels, rate, byte_rate, _align, bits = struct.unpack("<HHIIHH", body[:16])
                if tag == _EXTENSIBLE and len(body) >= 40:
                    tag = (
                        struct.unpack("<H", body[24:26])[0] if body[26:40] == _PCM_GUID_TAIL else 0
                    )
                fmt = (tag, channels, rate, byte_rate, bits)
                wav.seek(length - len(body) + (length & 1), os.SEEK_CUR)
            elif chunk == b"data":
                if fmt is None:
                    return None
                tag, channels, rate, byte_rate, bits = fmt
                available = size - wav.tell()
                return WavInfo(tag, channels, rate, bits, byte_rate, length, available)
            else:
                wav.seek(length + (length & 1), os.SEEK_CUR)
    return None


@dataclass(frozen=True)
class Playable:
    """What the import stores: the WAV the portal plays, and the switch's file if converted."""

    path: Path
    duration: int
    original: Path | None = None
    original_format: str = ""


def find_sox() -> str | None:
    return shutil.which("sox")


class Converter:
    """Turns a message's recordings into one Playable, the best one first."""

    def __init__(self, sox: str | None):
        self.sox = sox
        self.converted = 0

    def prepare(
        self,
        spool: Spool,
        folder: Sequence[str],
        recordings: Mapping[str, Entry],
        workdir: Path,
    ) -> Playable:
        """Raises RecordingError (and spool_files.Refused / Vanished from the spool)."""
        candidates = sorted(
            (ext for ext in recordings if ext in BY_EXT), key=PREFERENCE.__getitem__
        )
        if not candidates:
            raise RecordingError("no recording beside the .txt (.wav, .WAV, .gsm …)")
        reasons = []
        for ext in candidates:
            try:
                return self._prepare_one(spool, [*folder, recordings[ext].name], ext, workdir)
            except RecordingError as error:
                reasons.append(f"{recordings[ext].name}: {error}")
        raise RecordingError("; ".join(reasons))

    def _prepare_one(self, spool: Spool, parts: list[str], ext: str, workdir: Path) -> Playable:
        audio_format = BY_EXT[ext]
        source = workdir / f"original.{ext}"
        try:
            copied = spool.copy(parts, source, MAX_RECORDING_SIZE)
        except TooLarge as error:
            raise RecordingError(str(error)) from None
        if not source.stat().st_size:
            raise RecordingError("the file is empty")
        if audio_format.wav:
            info = wav_info(source)
            if info is None:
                raise RecordingError("not a WAV file")
            if not info.data_size or not info.available:
                raise RecordingError("the WAV file holds no sound")
            if info.truncated and recent(copied.mtime):
                # Asterisk moves a recording in whole; a copy (cp, scp) writes the header first.
                raise StillWriting(f"{parts[-1]} is still being copied into the spool")
            if info.truncated:
                raise RecordingError("cut off: shorter than its WAV header says")
            if info.playable:
                return Playable(source, info.duration)
        return self._convert(source, audio_format, workdir)

    def _convert(self, source: Path, audio_format: AudioFormat, workdir: Path) -> Playable:
        if audio_format.sox_input is None:
            raise RecordingError(f"{audio_format.label} cannot be converted (sox cannot read it)")
        if self.sox is None:
            raise RecordingError(
                f"{audio_format.label} must be converted for the browser, and sox is not "
                "installed (apt-get install sox); left for a run after that"
            )
        target = workdir / "playable.wav"
        command = [self.sox, "-q", "-V1", *audio_format.sox_input, str(source)]
        command += ["-t", "wav", "-e", "signed-integer", "-b", "16", "-c", "1"]
        if _rate(audio_format) > MAX_PLAYABLE_RATE:
            command += ["-r", str(MAX_PLAYABLE_RATE)]
        command.append(str(target))
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                stdin=subprocess.DEVNULL,
                timeout=SOX_TIMEOUT,
                env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"},
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RecordingError(f"sox took more than {SOX_TIMEOUT} s to convert it") from None
        except OSError as error:
            raise RecordingError(f"cannot run sox: {error.strerror}") from None
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise RecordingError(f"sox could not convert it: {said[-1] if said else 'no reason'}")
        info = wav_info(target) if target.exists() else None
        if info is None or not info.playable:
            raise RecordingError("sox gave no playable WAV")
        self.converted += 1
        return Playable(target, info.duration, source, audio_format.ext)


def _rate(audio_format: AudioFormat) -> int:
    args = audio_format.sox_input or ()
    return int(args[args.index("-r") + 1]) if "-r" in args else 0
