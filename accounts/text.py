"""Text that switches write: UTF-8 mostly, a legacy code page now and then.

Asterisk writes whatever bytes a phone or a trunk sent as the caller's name, so one file
(a Master.csv, a voicemail .txt) can hold UTF-8 lines next to lines in the code page of an
old PBX or an ISDN gateway. Each piece is decoded on its own: UTF-8 first, then the
operator's fallback (Windows-1250 by default, the code page of Polish Windows; it maps
every byte but five, and those few fall back to ISO-8859-2), so one odd byte never makes a
whole file unreadable and never turns into mojibake elsewhere.
"""

from __future__ import annotations

import codecs

DEFAULT_FALLBACK_ENCODING = "cp1250"
# cp1250 leaves 0x81, 0x83, 0x88, 0x90 and 0x98 undefined; ISO-8859-2 maps every byte.
LAST_RESORT_ENCODING = "iso-8859-2"


def check_encoding_name(name: str) -> str:
    """The codec's canonical name, or LookupError for a name Python does not know."""
    return codecs.lookup(name).name


def decode(data: bytes, fallback: str = DEFAULT_FALLBACK_ENCODING) -> tuple[str, bool]:
    """The text of `data`, and whether the fallback encoding was needed to read it."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(fallback), True
    except UnicodeDecodeError:
        return data.decode(LAST_RESORT_ENCODING, errors="replace"), True
