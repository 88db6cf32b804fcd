"""IP Centrex → Poczta głosowa: the mailbox, its settings and PIN, and the messages' audio."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import wraps

from django.contrib import messages
from django.core.files import File
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import customer_required
from centrex import voicemail
from centrex.models.voicemail import VoicemailMessage
from centrex.voicemail.forms import MailboxSettingsForm, PinForm

logger = logging.getLogger(__name__)

AUDIO_CHUNK = 64 * 1024


def _disabled(request: HttpRequest, status: int = 403) -> HttpResponse:
    return render(request, "centrex/voicemail_disabled.html", status=status)


def voicemail_enabled_required(view):
    """Refuse every voicemail page and action, on the server, while staff keep it switched off."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.account.voicemail_enabled:
            return _disabled(request)
        return view(request, *args, **kwargs)

    return wrapper


def _get_message(request: HttpRequest, pk: int) -> VoicemailMessage:
    """The signed-in account's message, or 404 (never another account's)."""
    return get_object_or_404(VoicemailMessage, pk=pk, account=request.account)


def _folders(message_list: list[VoicemailMessage]) -> list[tuple[str, str, list]]:
    """(folder, label, messages): Inbox and Old always, the other folders when they hold any."""
    by_folder: dict[str, list[VoicemailMessage]] = {}
    for message in message_list:
        by_folder.setdefault(message.folder, []).append(message)
    Folder = VoicemailMessage.Folder
    return [
        (folder.value, folder.label, by_folder.get(folder, []))
        for folder in Folder
        if folder in (Folder.INBOX, Folder.OLD) or by_folder.get(folder)
    ]


@require_GET
@customer_required
def voicemail_index(request: HttpRequest) -> HttpResponse:
    account = request.account
    if not account.voicemail_enabled:
        # The page itself is the place that says so (the seed's message), so 200 here.
        return _disabled(request, status=200)
    message_list = list(account.voicemail_messages.order_by("-received_at", "-id"))
    return render(
        request,
        "centrex/voicemail.html",
        {
            "folders": _folders(message_list),
            "new_count": sum(not m.heard for m in message_list),
            "mailbox_settings": voicemail.settings_for(account),
        },
    )


@require_http_methods(["GET", "POST"])
@customer_required
@voicemail_enabled_required
def voicemail_settings(request: HttpRequest) -> HttpResponse:
    mailbox_settings = voicemail.settings_for(request.account)
    data = request.POST if request.method == "POST" else None
    form = MailboxSettingsForm(data, instance=mailbox_settings)
    if request.method == "POST" and form.is_valid():
        voicemail.save_settings(form.instance, form.changed_data, request=request)
        messages.success(request, _("Voicemail settings saved."))
        return redirect("centrex:voicemail")
    return render(
        request,
        "centrex/voicemail_settings.html",
        {"form": form, "mailbox_settings": mailbox_settings},
    )


@require_http_methods(["GET", "POST"])
@customer_required
@voicemail_enabled_required
def voicemail_pin(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = PinForm(data, account=request.account)
    if request.method == "POST" and form.is_valid():
        voicemail.change_pin(request.account, form.cleaned_data["pin"], request=request)
        messages.success(request, _("The voicemail PIN has been changed."))
        return redirect("centrex:voicemail")
    return render(
        request,
        "centrex/voicemail_pin.html",
        {"form": form, "mailbox_settings": voicemail.settings_for(request.account)},
    )


# ---------------------------------------------------------------------------------------------
# Audio

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class _Unsatisfiable(Exception):
    pass


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
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise _Unsatisfiable
        return max(0, size - suffix), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # an invalid range is ignored, not refused
    if start >= size:
        raise _Unsatisfiable
    end = min(int(last), size - 1) if last else size - 1
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


def _audio_response(request: HttpRequest, pk: int, *, as_attachment: bool) -> HttpResponse:
    message = _get_message(request, pk)
    filename = voicemail.attachment_name(message, request.account)
    try:
        audio = message.audio.storage.open(message.audio.name, "rb")
        size = message.audio.storage.size(message.audio.name)
    except (FileNotFoundError, ValueError):
        logger.error("Voicemail audio missing from storage: message %s", message.pk)
        raise Http404 from None

    try:
        byte_range = None
        if "HTTP_RANGE" in request.META and "HTTP_IF_RANGE" not in request.META:
            byte_range = _byte_range(request.META["HTTP_RANGE"], size)
    except _Unsatisfiable:
        audio.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        if byte_range is None:
            response = FileResponse(audio, content_type="audio/wav")
            response["Content-Length"] = str(size)
        else:
            start, end = byte_range
            length = end - start + 1
            response = StreamingHttpResponse(
                _chunks(audio, start, length), status=206, content_type="audio/wav"
            )
            response["Content-Length"] = str(length)
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    # Someone's voice: never kept by a shared cache, nor on disk after the tab is closed.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@customer_required
@voicemail_enabled_required
def voicemail_audio(request: HttpRequest, pk: int) -> HttpResponse:
    """The audio for the page's <audio> player (inline), with Range support for seeking."""
    return _audio_response(request, pk, as_attachment=False)


@require_GET
@customer_required
@voicemail_enabled_required
def voicemail_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _audio_response(request, pk, as_attachment=True)


# ---------------------------------------------------------------------------------------------
# Actions on one message (POST only)


def _back_to_list(message: VoicemailMessage | None = None) -> HttpResponse:
    response = redirect("centrex:voicemail")
    if message is not None:
        response["Location"] += f"#message-{message.pk}"
    return response


@require_POST
@customer_required
@voicemail_enabled_required
def voicemail_heard(request: HttpRequest, pk: int) -> HttpResponse:
    message = _get_message(request, pk)
    voicemail.set_heard(message, True, request=request)
    messages.success(request, _("The message is marked as heard."))
    return _back_to_list(message)


@require_POST
@customer_required
@voicemail_enabled_required
def voicemail_unheard(request: HttpRequest, pk: int) -> HttpResponse:
    message = _get_message(request, pk)
    voicemail.set_heard(message, False, request=request)
    messages.success(request, _("The message is marked as new."))
    return _back_to_list(message)


@require_POST
@customer_required
@voicemail_enabled_required
def voicemail_move_to_old(request: HttpRequest, pk: int) -> HttpResponse:
    message = _get_message(request, pk)
    voicemail.move_message(message, VoicemailMessage.Folder.OLD, request=request)
    messages.success(request, _("The message has been moved to Old."))
    return _back_to_list(message)


@require_http_methods(["GET", "POST"])
@customer_required
@voicemail_enabled_required
def voicemail_delete(request: HttpRequest, pk: int) -> HttpResponse:
    message = _get_message(request, pk)
    if request.method == "POST":
        voicemail.delete_message(message, request=request)
        messages.success(request, _("The message has been deleted."))
        return _back_to_list()
    return render(request, "centrex/voicemail_delete.html", {"message": message})
