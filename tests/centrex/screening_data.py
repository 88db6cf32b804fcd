"""Builders for the call screening tests."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from accounts.models import Account
from centrex.screening.models import ALL_DAYS, ScreeningRule
from centrex.screening.patterns import parse_patterns

WARSAW = ZoneInfo("Europe/Warsaw")
DISABLED_PL = (
    "Selekcja połączeń wyłączona. W celu włączenia skontaktuj się ze swoim dostawcą usługi lub "
    "administratorem."
)
DISABLED_EN = (
    "Call screening is disabled. To enable it, contact your service provider or administrator."
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def days(*weekdays: int) -> int:
    return sum(1 << day for day in weekdays)


def enable_screening(account: Account, *, voicemail: bool = False) -> Account:
    account.call_screening_enabled = True
    account.voicemail_enabled = voicemail
    account.save(update_fields=["call_screening_enabled", "voicemail_enabled"])
    return account


def make_rule(account: Account, *patterns: str, **fields) -> ScreeningRule:
    """A rule at the end of the account's list; patterns as stored (default: any number)."""
    last = account.screening_rules.order_by("-position").first()
    fields.setdefault("position", last.position + 1 if last else 0)
    fields.setdefault("name", f"Reguła {fields['position'] + 1}")
    fields.setdefault("action", ScreeningRule.Action.REJECT)
    fields.setdefault("days", ALL_DAYS)
    for name in ("time_from", "time_to"):
        if isinstance(fields.get(name), str):
            hours, minutes = fields[name].split(":")
            fields[name] = time(int(hours), int(minutes))
    stored = parse_patterns("\n".join(patterns or ["%"]))
    return ScreeningRule.objects.create(
        account=account, caller_patterns="\n".join(stored), **fields
    )


def warsaw(year: int, month: int, day: int, hour: int = 12, minute: int = 0, fold: int = 0):
    """An aware moment given by the Warsaw wall clock."""
    return datetime(year, month, day, hour, minute, tzinfo=WARSAW, fold=fold)
