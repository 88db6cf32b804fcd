"""Two-step verification (TOTP, RFC 6238) with django-otp: the rules every entry point calls.

A user has it on when they have a confirmed `TOTPDevice`; their recovery codes are the tokens
of one `StaticDevice`, each deleted as it is used. Turning it on creates an unconfirmed
device first and confirms it with a first code, so a mistyped or unscanned secret can never
lock anyone out.

A session is verified when a code was given in it (django-otp's `otp_device_id` in the
session, set by `mark_verified`). Wrong codes are not throttled by django-otp's own
per-device delay (OTP_*_THROTTLE_FACTOR = 0): that delay would let anyone who knows the
password lock the customer out of their own codes. They count as failed sign-ins instead,
under the lockout's rules (accounts.auth.lockout), per login and address.
"""

from __future__ import annotations

import re
import time
from base64 import b32encode
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import django_otp
import segno
from django.db import transaction
from django.http import HttpRequest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import audit
from accounts.security import notices

if TYPE_CHECKING:
    from accounts.models import Account, User

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "Konto"
# A code of an earlier step than this many is not "expired" but simply wrong.
EXPIRED_STEPS = 20

_TOTP_CODE = re.compile(r"[0-9]{6}")
# StaticToken.random_token(): eight characters of base32, lower case.
_RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")


class Problem(StrEnum):
    MALFORMED = "malformed"
    WRONG = "wrong"
    REUSED = "reused"
    EXPIRED = "expired"


@dataclass(frozen=True)
class CodeCheck:
    device: TOTPDevice | StaticDevice | None = None
    problem: Problem | None = None
    recovery: bool = False
    codes_left: int = field(default=0)

    @property
    def ok(self) -> bool:
        return self.problem is None


def normalize(code: str) -> str:
    """A code as typed ("123 456", "ABCD-EFGH") as it is stored."""
    return re.sub(r"[\s-]", "", code).lower()


def is_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def session_verified(request: HttpRequest) -> bool:
    """Whether a two-step code was given in this session (or two-step was set up in it)."""
    return django_otp.DEVICE_ID_SESSION_KEY in request.session


def mark_verified(request: HttpRequest, device: TOTPDevice | StaticDevice) -> None:
    django_otp.login(request, device)


# Turning it on ------------------------------------------------------------------------------


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up: the same secret until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app instead of the QR code."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice, *, title: str) -> str:
    """The otpauth:// URL of the device as an inline SVG QR code (no script, no image file)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=4, title=title, dark="#000", light="#fff"
    )


def turn_on(user: User, code: str, *, request: HttpRequest) -> tuple[CodeCheck, list[str]]:
    """Confirm the pending device with its first code; then the recovery codes, shown once."""
    device = pending_device(user)
    check = _check_totp(device, normalize(code))
    if not check.ok:
        return check, []
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
        audit.record("security.two_step_on", account=_account(user), request=request)
        notices.send(user, notices.Event.TWO_STEP_ON, request=request)
    mark_verified(request, device)
    return check, codes


def new_recovery_codes(user: User, *, request: HttpRequest) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones; the old stop working."""
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record("security.recovery_codes_new", account=_account(user), request=request)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return sorted(codes)


def turn_off(user: User, *, request: HttpRequest, by_staff: bool = False) -> None:
    """Remove the user's devices and recovery codes; audited, and the user is told by e-mail.

    `by_staff`: the help desk reset it for the customer (request.user is the staff member).
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        kind = "security.two_step_reset" if by_staff else "security.two_step_off"
        audit.record(kind, account=_account(user), request=request, message=user.get_username())
        event = notices.Event.TWO_STEP_RESET if by_staff else notices.Event.TWO_STEP_OFF
        notices.send(user, event, request=request)
    if not by_staff:
        request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)


# Signing in ---------------------------------------------------------------------------------


def verify(user: User, code: str, *, request: HttpRequest) -> CodeCheck:
    """Check a code given at sign-in: the app's current code, or one unused recovery code."""
    value = normalize(code)
    if _TOTP_CODE.fullmatch(value):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            return CodeCheck(problem=Problem.WRONG)
        return _check_totp(device, value)
    if _RECOVERY_CODE.fullmatch(value):
        return _use_recovery_code(user, value, request=request)
    return CodeCheck(problem=Problem.MALFORMED)


def _check_totp(device: TOTPDevice, value: str) -> CodeCheck:
    if not _TOTP_CODE.fullmatch(value):
        return CodeCheck(device, Problem.MALFORMED)
    if device.verify_token(value):
        return CodeCheck(device)
    return CodeCheck(device, _why_refused(device, int(value)))


def _why_refused(device: TOTPDevice, token: int) -> Problem:
    """Why a TOTP code that did not verify was refused: used already, too old, or wrong."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    current = totp.t()
    for offset in range(-EXPIRED_STEPS, device.tolerance + 1):
        totp.time = now + offset * device.step
        if totp.token() != token:
            continue
        if -device.tolerance <= offset and current + offset <= device.last_t:
            return Problem.REUSED
        if offset < -device.tolerance:
            return Problem.EXPIRED
    return Problem.WRONG


def _use_recovery_code(user: User, value: str, *, request: HttpRequest) -> CodeCheck:
    with transaction.atomic():
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None or not device.verify_token(value):
            return CodeCheck(device, Problem.WRONG, recovery=True)
        left = device.token_set.count()
        audit.record(
            "security.recovery_code_used", account=_account(user), request=request, codes_left=left
        )
        notices.send(user, notices.Event.RECOVERY_CODE_USED, request=request, codes_left=left)
    return CodeCheck(device, recovery=True, codes_left=left)


def _account(user: User) -> Account | None:
    # Staff have no account; a missing one-to-one raises an AttributeError subclass.
    return getattr(user, "account", None)
