"""POST /switch/v1/voicemail/pin: the voicemail server checks a caller's mailbox PIN.

Body: JSON `{"mailbox": "1001", "pin": "4711"}` or the same as a form. 200
`{"ok": true, "account": "<account ID>"}` for the right PIN; 403 `{"ok": false}` for a wrong
PIN, an unknown mailbox or one without voicemail; 429 `{"ok": false, "error": …}` while the
mailbox is locked after too many wrong PINs (centrex.voicemail.pin_check); 400 for a body
without a mailbox number and a PIN of digits.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

from accounts import validators
from accounts.switch_api.auth import SwitchRequest, switch_api_view
from centrex.voicemail.pin_check import check_mailbox_pin

# Far more than any PIN the portal accepts: longer input is not a PIN someone keyed in.
MAX_PIN_INPUT = 32


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return value if isinstance(value, str) else None


def _body(request: SwitchRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError) as error:
            raise ValidationError("the body is not JSON") from error
        if not isinstance(data, dict):
            raise ValidationError("the body must be a JSON object")
        return data
    try:
        return request.POST.dict()
    except MultiPartParserError as error:
        raise ValidationError("the body is not a form") from error


@switch_api_view(methods=("POST",))
def voicemail_pin(request: SwitchRequest) -> HttpResponse:
    data = _body(request)
    mailbox, pin = _text(data.get("mailbox")), _text(data.get("pin"))
    if mailbox is None or pin is None:
        raise ValidationError("mailbox and pin are required")
    try:
        mailbox = validators.validate_mailbox(mailbox)
    except ValidationError as error:
        raise ValidationError("mailbox: 1 to 32 digits") from error
    if not mailbox or not (pin.isascii() and pin.isdigit() and len(pin) <= MAX_PIN_INPUT):
        raise ValidationError("mailbox and pin must be digits")
    result = check_mailbox_pin(mailbox, pin)
    if result.ok and result.account is not None:
        return JsonResponse({"ok": True, "account": result.account.account_id})
    if result.locked:
        return JsonResponse(
            {"ok": False, "error": "too many wrong PINs: try again later"}, status=429
        )
    return JsonResponse({"ok": False}, status=403)
