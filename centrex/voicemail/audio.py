"""A voicemail message's audio, served to its owner: whole, or one byte range for seeking.

The portal plays `audio` (a PCM WAV); `original`, the switch's own file when the import
converted it, is offered for download.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)

AUDIO_CHUNK = 64 * 1024

# ASCII digits only: \d would also take other scripts' digits, which int() reads as numbers.
_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")
# More digits than this is past the end of any file we store (10¹⁸ bytes is an exabyte).
_MAX_DIGITS = 18
_PAST_ANY_FILE = 10**_MAX_DIGITS


class _Unsatisfiable(Exception):
    pass


def _position(digits: str) -> int:
    """A byte position from a Range header. Thousands of digits would make int() refuse the
    string (Python's limit on converting long numbers), so any number longer than a file can
    be is read as just "past the end", which gives the same answer."""
    digits = digits.lstrip("0") or "0"
    return _PAST_ANY_FILE if len(digits) > _MAX_DIGITS else int(digits)


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The single byte range (first, last; inclusive) a Range header asks for, or None for the
    whole file. Raises _Unsatisfiable for a range that starts past the end (RFC 9110 §14).

    Headers we do not understand, and several ranges at once, are answered with the whole file,
    which the RFC allows; browsers ask for one range at a time.
    """
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # "bytes=-500": the last 500 bytes
        suffix = _position(last)
        if suffix == 0 or size == 0:
            raise _Unsatisfiable
        return max(0, size - suffix), size - 1
    start = _position(first)
    if last and _position(last) < start:
        return None  # an invalid range is ignored, not refused
    if start >= size:
        raise _Unsatisfiable
    end = min(_position(last), size - 1) if last else size - 1
    return start, end


def _chunks(audio: File, start: int, length: int) -> Iterator[bytes]:
    try:
        audio.seek(start)
        remaining = length
        while remaining > 0:
            data = audio.read(min(AUDIO_CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        audio.close()


def audio_response(
    request: HttpRequest,
    stored: FieldFile,
    filename: str,
    *,
    as_attachment: bool,
    content_type: str = "audio/wav",
) -> HttpResponseBase:
    """A message's audio file (the caller has checked that it is the requester's own)."""
    try:
        if not stored.name:
            raise FileNotFoundError
        audio = stored.storage.open(stored.name, "rb")
        size = stored.storage.size(stored.name)
    except (FileNotFoundError, ValueError):
        logger.error("Voicemail audio missing from storage: %s", stored.name)
        raise Http404 from None

    response: HttpResponseBase
    try:
        byte_range = None
        if "range" in request.headers and "if-range" not in request.headers:
            byte_range = _byte_range(request.headers["range"], size)
    except _Unsatisfiable:
        audio.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        if byte_range is None:
            response = FileResponse(audio, content_type=content_type)
            response["Content-Length"] = str(size)
        else:
            start, end = byte_range
            length = end - start + 1
            response = StreamingHttpResponse(
                _chunks(audio, start, length), status=206, content_type=content_type
            )
            response["Content-Length"] = str(length)
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    disposition = content_disposition_header(as_attachment, filename)
    if disposition is not None:  # None only inline and without a file name
        response["Content-Disposition"] = disposition
    # Someone's voice is never cached: NoStoreWhenSignedInMiddleware marks every signed-in
    # response, downloads included.
    return response
