"""GET /switch/v1/conference-codes/<code>?caller=<number>: the media server checks a code.

200: the conference the code opens, the caller's role (host or guest), its options and
whether callers may join now (`live`); 404 for a wrong code (also one of a conference that is
over, or of an account without conferences); 429 while the caller is locked out after too many
wrong codes (conferences.code_check); 400 for a code that is not digits or a caller that is
not a number.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse

from accounts import validators
from accounts.switch_api import responses
from accounts.switch_api.auth import SwitchRequest, switch_api_view
from conferences.code_check import check_code
from conferences.models import AccessCode, Conference

_CODE = re.compile(r"^[0-9]{1,16}$")
_CALLER = re.compile(r"^\+?[0-9]{1,20}$")
# What switches send for a withheld number: such callers share one lockout counter.
WITHHELD = frozenset({"", "anonymous", "restricted", "private", "unknown", "unavailable"})


def caller_key(raw: str) -> str | None:
    """The caller whose wrong codes are counted: one form per number ("" when withheld).

    +48221234567, 0048221234567 and 221234567 count as one caller; None: not a number.
    """
    text = raw.strip().lower()
    if text in WITHHELD:
        return ""
    if not _CALLER.match(text):
        return None
    try:
        return validators.e164_digits(text)
    except ValidationError:
        return text.lstrip("+")


def conference_data(access: AccessCode, live: bool) -> dict[str, object]:
    conference: Conference = access.conference
    return {
        "conference": conference.pk,
        "name": conference.name,
        "account": conference.account.account_id,
        "role": access.role,
        "live": live,
        "starts_at": conference.starts_at.isoformat(),
        "ends_at": conference.ends_at.isoformat() if conference.ends_at else None,
        "permanent": conference.is_permanent,
        "max_participants": conference.max_participants,
        "max_session_minutes": conference.max_session_minutes,
        "options": {
            "wait_for_moderator": conference.wait_for_moderator,
            "announce_join_leave": conference.announce_join_leave,
            "mute_on_join": conference.mute_on_join,
            "music_on_hold": conference.music_on_hold,
            "record": conference.record,
        },
    }


@switch_api_view(methods=("GET",))
def conference_code(request: SwitchRequest, code: str) -> HttpResponse:
    if not _CODE.match(code):
        return responses.error(request, 400, "code: digits only")
    caller = caller_key(request.GET.get("caller", ""))
    if caller is None:
        return responses.error(request, 400, "caller: not a telephone number")
    result = check_code(code, caller)
    if result.locked:
        return responses.error(request, 429, "too many wrong codes: try again later")
    if result.access is None:
        return responses.error(request, 404, "no conference has this code")
    return JsonResponse(conference_data(result.access, result.live))
