"""IP Centrex → Poczta głosowa: the mailbox, its settings and PIN, and the audio of the messages
and the greetings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import feature_required
from accounts.http import CustomerRequest
from centrex.voicemail import audio_formats
from centrex.voicemail.audio import audio_response
from centrex.voicemail.forms import MailboxSettingsForm, PinForm
from centrex.voicemail.models import VoicemailGreeting, VoicemailMessage
from centrex.voicemail.notification import attachment_name
from centrex.voicemail.services import (
    change_pin,
    delete_message,
    move_message,
    save_settings,
    set_heard,
    settings_for,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DISABLED = "centrex/voicemail_disabled.html"
voicemail_required = feature_required("voicemail", disabled_template=DISABLED)


def _get_message(request: CustomerRequest, pk: int) -> VoicemailMessage:
    """The signed-in account's message, or 404 (never another account's)."""
    return get_object_or_404(VoicemailMessage, pk=pk, account=request.account)


def _get_greeting(request: CustomerRequest, pk: int) -> VoicemailGreeting:
    """The signed-in account's greeting, or 404 (never another account's)."""
    return get_object_or_404(VoicemailGreeting, pk=pk, account=request.account)


def _greeting_file_name(greeting: VoicemailGreeting, *, original: bool = False) -> str:
    """greeting-unavail.wav, as the switch names the greeting; the switch's original file is
    greeting-unavail-original.gsm (.wav for GSM in WAV)."""
    if original:
        extension = audio_formats.original_extension(greeting.original_format)
        return f"greeting-{greeting.kind}-original.{extension}"
    return f"greeting-{greeting.kind}.wav"


_GREETING_ORDER = {kind.value: rank for rank, kind in enumerate(VoicemailGreeting.Kind)}


def _folders(
    message_list: list[VoicemailMessage],
) -> list[tuple[str, StrOrPromise, list[VoicemailMessage]]]:
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
@feature_required("voicemail", disabled_template=DISABLED, landing=True)
def voicemail_index(request: CustomerRequest) -> HttpResponse:
    account = request.account
    message_list = list(account.voicemail_messages.order_by("-received_at", "-id"))
    # In the order of the switch's menu (unavailable, busy, name, temporary), not the alphabet's.
    greetings = sorted(account.voicemail_greetings.all(), key=lambda g: _GREETING_ORDER[g.kind])
    return render(
        request,
        "centrex/voicemail.html",
        {
            "folders": _folders(message_list),
            "greetings": greetings,
            "new_count": sum(not m.heard for m in message_list),
            "mailbox_settings": settings_for(account),
        },
    )


@require_http_methods(["GET", "POST"])
@voicemail_required
def voicemail_settings(request: CustomerRequest) -> HttpResponse:
    mailbox_settings = settings_for(request.account)
    data = request.POST if request.method == "POST" else None
    form = MailboxSettingsForm(data, instance=mailbox_settings)
    if request.method == "POST" and form.is_valid():
        save_settings(form.instance, request=request)
        messages.success(request, _("Voicemail settings saved."))
        return redirect("centrex:voicemail")
    return render(
        request,
        "centrex/voicemail_settings.html",
        {"form": form, "mailbox_settings": mailbox_settings},
    )


@require_http_methods(["GET", "POST"])
@voicemail_required
def voicemail_pin(request: CustomerRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = PinForm(data, account=request.account)
    if request.method == "POST" and form.is_valid():
        change_pin(request.account, form.cleaned_data["pin"], request=request)
        messages.success(request, _("The voicemail PIN has been changed."))
        return redirect("centrex:voicemail")
    return render(
        request,
        "centrex/voicemail_pin.html",
        {"form": form, "mailbox_settings": settings_for(request.account)},
    )


def _audio(request: CustomerRequest, pk: int, *, as_attachment: bool) -> HttpResponseBase:
    message = _get_message(request, pk)
    filename = attachment_name(message, request.account)
    return audio_response(request, message.audio, filename, as_attachment=as_attachment)


@require_GET
@voicemail_required
def voicemail_audio(request: CustomerRequest, pk: int) -> HttpResponseBase:
    """The audio for the page's <audio> player (inline), with Range support for seeking."""
    return _audio(request, pk, as_attachment=False)


@require_GET
@voicemail_required
def voicemail_download(request: CustomerRequest, pk: int) -> HttpResponseBase:
    """The WAV the page plays; with ?original=1, the switch's own recording when the import
    converted it (GSM, µ-law…), which is 404 for a message that has none."""
    if "original" not in request.GET:
        return _audio(request, pk, as_attachment=True)
    message = _get_message(request, pk)
    if not message.original:
        raise Http404
    filename = attachment_name(message, request.account, original=True)
    return audio_response(
        request,
        message.original,
        filename,
        as_attachment=True,
        content_type=audio_formats.content_type(message.original_format),
    )


@require_GET
@voicemail_required
def voicemail_greeting_audio(request: CustomerRequest, pk: int) -> HttpResponseBase:
    """A greeting for the page's <audio> player (inline), with Range support for seeking."""
    greeting = _get_greeting(request, pk)
    filename = _greeting_file_name(greeting)
    return audio_response(request, greeting.audio, filename, as_attachment=False)


@require_GET
@voicemail_required
def voicemail_greeting_download(request: CustomerRequest, pk: int) -> HttpResponseBase:
    """The greeting's WAV; with ?original=1, the switch's own file when the import converted
    it, which is 404 for a greeting that has none."""
    greeting = _get_greeting(request, pk)
    if "original" not in request.GET:
        filename = _greeting_file_name(greeting)
        return audio_response(request, greeting.audio, filename, as_attachment=True)
    if not greeting.original:
        raise Http404
    return audio_response(
        request,
        greeting.original,
        _greeting_file_name(greeting, original=True),
        as_attachment=True,
        content_type=audio_formats.content_type(greeting.original_format),
    )


# ---------------------------------------------------------------------------------------------
# Actions on one message (POST only)


def _back_to_list(message: VoicemailMessage | None = None) -> HttpResponse:
    response = redirect("centrex:voicemail")
    if message is not None:
        response["Location"] += f"#message-{message.pk}"
    return response


@require_POST
@voicemail_required
def voicemail_heard(request: CustomerRequest, pk: int) -> HttpResponse:
    message = _get_message(request, pk)
    set_heard(message, True, request=request)
    messages.success(request, _("The message is marked as heard."))
    return _back_to_list(message)


@require_POST
@voicemail_required
def voicemail_unheard(request: CustomerRequest, pk: int) -> HttpResponse:
    message = _get_message(request, pk)
    set_heard(message, False, request=request)
    messages.success(request, _("The message is marked as new."))
    return _back_to_list(message)


@require_POST
@voicemail_required
def voicemail_move_to_old(request: CustomerRequest, pk: int) -> HttpResponse:
    message = _get_message(request, pk)
    move_message(message, VoicemailMessage.Folder.OLD, request=request)
    messages.success(request, _("The message has been moved to Old."))
    return _back_to_list(message)


@require_http_methods(["GET", "POST"])
@voicemail_required
def voicemail_delete(request: CustomerRequest, pk: int) -> HttpResponse:
    message = _get_message(request, pk)
    if request.method == "POST":
        delete_message(message, request=request)
        messages.success(request, _("The message has been deleted."))
        return _back_to_list()
    return render(request, "centrex/voicemail_delete.html", {"message": message})
