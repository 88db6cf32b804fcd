"""GET /switch/v1/route: what the proxy does with a call, asked on every INVITE.

    GET /switch/v1/route?to=<dialled number>&from=<caller number or SIP user>&account=<caller>

- `to` (required): the dialled number, in any form accounts.validators reads (48221234567,
  +48221234567, 0048…, or a Polish national number); it must be a number of an account
  (accounts.PhoneNumber), else 404.
- `from` (optional): the caller as the proxy saw it — a number, a SIP user, or nothing /
  "anonymous" for a withheld number. It is what the callee's rules match, unless…
- `account` (optional): the authenticated caller's account ID. Then the caller is that
  account's first number — the lowest of its numbers (accounts.PhoneNumber's own order, the
  order the Pulpit and the admin list them in) — which is also returned as `caller_id`, the
  number the proxy presents. An account with no number (or no such account) gives
  `caller_id: ""` and the rules see `from`.

The answer is `centrex.screening.decision.decide()` — the decision the customer's
"What happens if…" tester shows — for this moment: JSON, or with `format=params` the same
fields as `name=value;` text for Kamailio. Cost: one query (the called account with the
caller's first number); the token check and the rules come from the cache.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db.models import Subquery
from django.http import HttpResponse

from accounts import validators
from accounts.models import Account, PhoneNumber
from accounts.switch_api import responses
from accounts.switch_api.auth import SwitchRequest, switch_api_view
from centrex.screening.rule_cache import decide_cached

# Longer than any number or SIP user a proxy sends: a longer value is not one.
MAX_PARAMETER_LENGTH = 64
# A SIP user (RFC 3261: unreserved, escaped and user-unreserved characters) or a number.
_SIP_USER = re.compile(r"^[A-Za-z0-9\-_.!~*'()%&=+$,;?/]*$")
_PLUS_NUMBER = re.compile(r"^\+[0-9]{1,15}$")
# What the decision needs of the called account (and its ID for the answer).
_ACCOUNT_FIELDS = (
    "pk",
    "account_id",
    "call_screening_enabled",
    "voicemail_enabled",
    "time_zone",
    "country",
)


class BadParameter(ValidationError):
    pass


def _e164(text: str) -> str | None:
    try:
        return validators.e164_digits(text)
    except ValidationError:
        return None


@lru_cache(maxsize=4096)
def called_digits(raw: str) -> str:
    """The dialled number as PhoneNumber stores it (E.164 digits); BadParameter if it is none.

    `+…` and `00…` are international. Bare digits are a Polish national number when they are
    one (221234567), else E.164 digits whose + was left out (48221234567, 4930123456): a
    Polish national number has 9 digits, so the two readings never compete.

    Cached: a proxy asks for the same few numbers all day, and parsing one costs more than
    the rest of the answer.
    """
    text = raw.strip()
    if not text or len(text) > MAX_PARAMETER_LENGTH:
        raise BadParameter("to: a telephone number is required")
    digits = _e164(text)
    if digits is None and text.isascii() and text.isdigit():
        digits = _e164("+" + text)
    if digits is None:
        raise BadParameter("to: not a telephone number")
    return digits


def caller_parameter(raw: str) -> str:
    """The caller for the rules: a number in the form the rules read, a SIP user as it is.

    Bare digits are read as `to` is; digits that are no number in either reading (a short
    extension) go to the rules as they are, where only a pattern with those digits matches.
    """
    text = raw.strip()
    if len(text) > MAX_PARAMETER_LENGTH or not _SIP_USER.match(text):
        raise BadParameter("from: not a telephone number or SIP user")
    if text.startswith("+") and not _PLUS_NUMBER.match(text):
        raise BadParameter("from: not a telephone number")
    if text.isascii() and text.isdigit():
        try:
            return "+" + called_digits(text)
        except BadParameter:
            return text
    return text


def account_parameter(raw: str) -> str:
    text = raw.strip()
    if len(text) > MAX_PARAMETER_LENGTH or not text.isprintable():
        raise BadParameter("account: not an account ID")
    return text


@switch_api_view(methods=("GET",))
def route(request: SwitchRequest) -> HttpResponse:
    params = request.GET
    try:
        if params.get("format", "json") not in ("json", responses.PARAMS):
            raise BadParameter("format: json or params")
        to = called_digits(params.get("to", ""))
        caller = caller_parameter(params.get("from", ""))
        calling_account = account_parameter(params.get("account", ""))
    except BadParameter as error:
        return responses.error(request, 400, error.messages[0])

    accounts = Account.objects.filter(numbers__number=to).only(*_ACCOUNT_FIELDS)
    if calling_account:
        first_number = PhoneNumber.objects.filter(account__account_id=calling_account).order_by(
            "number"
        )
        accounts = accounts.annotate(caller_number=Subquery(first_number.values("number")[:1]))
    callee = accounts.first()
    if callee is None:
        return responses.error(request, 404, "to: no account has this number")

    caller_id = getattr(callee, "caller_number", None) or ""
    # An E.164 number without its + would be read as a national one: give it back.
    decision = decide_cached(callee, f"+{caller_id}" if caller_id else caller, f"+{to}")
    return responses.answer(
        request,
        {
            "action": decision.action,
            "account": callee.account_id,
            "ring_seconds": decision.ring_seconds,
            "forward_to": decision.forward_to.lstrip("+"),
            "caller_id": caller_id,
            "reason": decision.reason,
        },
    )
