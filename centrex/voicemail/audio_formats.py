"""The recording formats app_voicemail writes, and how Konto reads each one.

voicemail.conf's `format=wav49|gsm|wav` records every message once per format, each file named
after the format (`msg0000.WAV`, `msg0000.gsm`, `msg0000.wav`): Asterisk's file.c uses the name
given in `format=` as the extension, except `wav49`, which becomes `WAV` (GSM 6.10 in a WAV
file). The names below are the ones Asterisk's formats/ modules accept.

The portal plays 16-bit PCM WAV in the browser (Chromium, Firefox and Safari all do, with
seeking); everything else is converted with sox at import. FORMATS lists the formats best
first: when a message was recorded in several, the best one Konto can read is used.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AudioFormat:
    ext: str
    label: str
    # How sox is told what the file holds (headerless formats need the rate and encoding);
    # None: sox cannot read it.
    sox_input: tuple[str, ...] | None
    # For the original's download.
    content_type: str = "application/octet-stream"
    # A RIFF/WAVE file: a PCM one plays in the browser as it is.
    wav: bool = False


def _raw_pcm(rate: int) -> tuple[str, ...]:
    # Asterisk's signed linear is 16-bit in the machine's byte order: little-endian on every
    # platform a switch runs on today (x86, ARM).
    return ("-t", "raw", "-e", "signed-integer", "-b", "16", "-L", "-c", "1", "-r", str(rate))


def _headerless(kind: str) -> tuple[str, ...]:
    return ("-t", kind, "-c", "1", "-r", "8000")


_WAV = "audio/wav"
_SLN_RATES = [("sln192", 192000), ("sln96", 96000), ("sln48", 48000), ("sln44", 44100)]
_SLN_RATES += [("sln32", 32000), ("sln24", 24000), ("sln16", 16000), ("sln12", 12000)]

FORMATS: tuple[AudioFormat, ...] = (
    AudioFormat("wav16", "PCM 16 kHz WAV", ("-t", "wav"), _WAV, wav=True),
    AudioFormat("wav", "PCM WAV", ("-t", "wav"), _WAV, wav=True),
    *(AudioFormat(ext, "PCM", _raw_pcm(rate)) for ext, rate in _SLN_RATES),
    AudioFormat("sln", "PCM", _raw_pcm(8000)),
    AudioFormat("slin", "PCM", _raw_pcm(8000)),
    AudioFormat("raw", "PCM", _raw_pcm(8000)),
    *(AudioFormat(ext, "G.711 µ-law", _headerless("ul")) for ext in ("ulaw", "pcm", "ul")),
    *(AudioFormat(ext, "G.711 µ-law", _headerless("ul")) for ext in ("mu", "ulw")),
    *(AudioFormat(ext, "G.711 A-law", _headerless("al")) for ext in ("alaw", "al", "alw")),
    AudioFormat("au", "Sun AU", ("-t", "au"), "audio/basic"),
    AudioFormat("ogg", "Ogg Vorbis", ("-t", "ogg"), "audio/ogg"),
    AudioFormat("vox", "Dialogic ADPCM", _headerless("vox")),
    AudioFormat("WAV", "GSM WAV", ("-t", "wav"), _WAV, wav=True),
    AudioFormat("wav49", "GSM WAV", ("-t", "wav"), _WAV, wav=True),
    AudioFormat("gsm", "GSM", _headerless("gsm")),
    # Formats Asterisk can record in and sox cannot read: named, so the report can say why.
    AudioFormat("g722", "G.722", None),
    AudioFormat("g729", "G.729", None),
    AudioFormat("g723", "G.723.1", None),
    AudioFormat("g723sf", "G.723.1", None),
    *(AudioFormat(f"g726-{kbit}", "G.726", None) for kbit in (40, 32, 24, 16)),
    AudioFormat("ilbc", "iLBC", None),
    AudioFormat("siren7", "Siren7", None),
    AudioFormat("siren14", "Siren14", None),
    AudioFormat("g719", "G.719", None),
    *(AudioFormat(ext, "Speex", None) for ext in ("spx", "spx16", "spx32")),
)
BY_EXT = {audio_format.ext: audio_format for audio_format in FORMATS}
PREFERENCE = {audio_format.ext: rank for rank, audio_format in enumerate(FORMATS)}

# The format of what the portal plays (and of every converted recording).
PLAYABLE_CONTENT_TYPE = _WAV


def label(ext: str) -> str:
    audio_format = BY_EXT.get(ext)
    return audio_format.label if audio_format else ext


def content_type(ext: str) -> str:
    audio_format = BY_EXT.get(ext)
    return audio_format.content_type if audio_format else "application/octet-stream"


def original_extension(ext: str) -> str:
    """The extension a downloaded original gets: a RIFF file is .wav whatever Asterisk called
    it (WAV, wav49, wav16), so that the customer's player opens it."""
    audio_format = BY_EXT.get(ext)
    return "wav" if audio_format and audio_format.wav else ext.lower()
