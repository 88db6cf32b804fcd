"""What a lockout message says: what it covers, when it ends, what lifts it."""

from __future__ import annotations

import math

from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from accounts.auth import lockout


def lockout_message(state: lockout.Lockout | None) -> str:
    """What is true about a lockout: what it covers, when it ends, what lifts it."""
    if state is None:
        # It ended between the refusal and this page.
        return gettext("Too many failed sign-in attempts. Please try again.")
    seconds = lockout.seconds_left(state)
    if state.scope == lockout.Scope.SLOWDOWN:
        return ngettext(
            "This login has had many failed sign-in attempts from several addresses, so each "
            "attempt has to wait a little. Try again in %(seconds)d second.",
            "This login has had many failed sign-in attempts from several addresses, so each "
            "attempt has to wait a little. Try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
    minutes = math.ceil(seconds / 60)
    values = {
        "address": state.address or "?",
        "time": formats.time_format(timezone.localtime(state.until), "TIME_FORMAT"),
        "minutes": minutes,
    }
    if state.scope == lockout.Scope.ADDRESS:
        message = ngettext(
            "Too many failed sign-in attempts from your address (%(address)s). Signing in "
            "from this address is blocked for every login until %(time)s (%(minutes)d "
            "minute). Signing in from other addresses is not affected.",
            "Too many failed sign-in attempts from your address (%(address)s). Signing in "
            "from this address is blocked for every login until %(time)s (%(minutes)d "
            "minutes). Signing in from other addresses is not affected.",
            minutes,
        )
    else:
        message = ngettext(
            "Too many failed sign-in attempts for this login from your address "
            "(%(address)s). Signing in to it from this address is blocked until %(time)s "
            "(%(minutes)d minute). Signing in from other addresses is not affected.",
            "Too many failed sign-in attempts for this login from your address "
            "(%(address)s). Signing in to it from this address is blocked until %(time)s "
            "(%(minutes)d minutes). Signing in from other addresses is not affected.",
            minutes,
        )
    message %= values
    if state.lifted_by_reset:
        message += " " + gettext(
            "Setting a new password with “%(link)s” lifts the block at once."
        ) % {"link": gettext("Forgot your password?")}
    return message
