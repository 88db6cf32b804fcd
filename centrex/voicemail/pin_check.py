"""The voicemail server's question "is this the PIN of this mailbox?", with a lockout.

The answer is yes only for an active account with voicemail enabled, that mailbox number and a
PIN set in the portal (MailboxSettings.check_pin: Django's password hashing). After
MAX_PIN_FAILURES wrong answers for one mailbox within PIN_LOCKOUT, the mailbox is locked until
the window ends (accounts.switch_api.lockout): no PIN is checked then, the right one neither,
so guessing gains nothing. A right PIN clears the mailbox's failures. Unknown mailboxes count
like known ones, so the answers do not tell which mailboxes exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from accounts import audit
from accounts.models import Account
from accounts.switch_api.lockout import FailureCounter
from centrex.voicemail.models import MailboxSettings

MAX_PIN_FAILURES = 5
PIN_LOCKOUT = timedelta(minutes=15)
PIN_FAILURES = FailureCounter("voicemail-pin", MAX_PIN_FAILURES, PIN_LOCKOUT)


@dataclass(frozen=True)
class PinCheck:
    ok: bool
    locked: bool = False
    account: Account | None = None


def check_mailbox_pin(mailbox: str, pin: str) -> PinCheck:
    if PIN_FAILURES.is_locked(mailbox):
        return PinCheck(ok=False, locked=True)
    account = (
        Account.objects.active()
        .filter(mailbox=mailbox, voicemail_enabled=True)
        .select_related("mailbox_settings")
        .first()
    )
    try:
        settings = account.mailbox_settings if account else None
    except MailboxSettings.DoesNotExist:
        settings = None
    if account is not None and settings is not None and settings.check_pin(pin):
        PIN_FAILURES.clear(mailbox)
        return PinCheck(ok=True, account=account)
    failures = PIN_FAILURES.add_failure(mailbox)
    if failures == MAX_PIN_FAILURES and account is not None:
        audit.record(
            "voicemail.pin_locked",
            account=account,
            actor="switch API",
            message=f"Voicemail mailbox {mailbox} locked after {failures} wrong PINs",
            mailbox=mailbox,
        )
    return PinCheck(ok=False, locked=failures >= MAX_PIN_FAILURES)
