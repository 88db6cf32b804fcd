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
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models.options import Options
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
    "id",
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


@lru_cache(maxsize=1)
def _lookup_sql() -> str:
    """The one statement of a decision: the called account, and the calling account's first
    (lowest) number. Built once from the models' tables and columns; the ORM's query building
    cost more than the database's answer, on the path of every call setup."""
    account, number = Account._meta, PhoneNumber._meta
    quote = connection.ops.quote_name
    columns = ", ".join(f"a.{quote(_column(account, name))}" for name in _selected())
    number_column = quote(_column(number, "number"))
    number_account = quote(_column(number, "account"))
    account_id = quote(_column(account, "account_id"))
    account_pk = quote(account.pk.column)
    accounts, numbers = quote(account.db_table), quote(number.db_table)
    return (
        f"SELECT {columns}, ("  # noqa: S608 - identifiers from the models, values are parameters
        f"SELECT n2.{number_column} FROM {numbers} n2 JOIN {accounts} a2"
        f" ON a2.{account_pk} = n2.{number_account}"
        f" WHERE a2.{account_id} = %s ORDER BY n2.{number_column} LIMIT 1)"
        f" FROM {accounts} a JOIN {numbers} n ON n.{number_account} = a.{account_pk}"
        f" WHERE n.{number_column} = %s"
    )


def _column(meta: Options[Any], name: str) -> str:
    field = meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


@lru_cache(maxsize=1)
def _selected() -> list[str]:
    """_ACCOUNT_FIELDS in the model's order, the order Model.from_db takes values in."""
    return [f.attname for f in Account._meta.concrete_fields if f.attname in _ACCOUNT_FIELDS]


def _callee_and_caller_id(to: str, calling_account: str) -> tuple[Account, str] | None:
    """The account owning the number `to` (only the fields the decision reads), and the caller
    ID of `calling_account` ("" without one); None when no account has the number."""
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(), [calling_account, to])
        row = cursor.fetchone()
    if row is None:
        return None
    *values, caller_id = row
    callee = Account.from_db(connection.alias, _selected(), values)
    return callee, caller_id or ""


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

    found = _callee_and_caller_id(to, calling_account)
    if found is None:
        return responses.error(request, 404, "to: no account has this number")
    callee, caller_id = found
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
