"""Each account's screening rules and master switch, cached for the switch API.

The proxy asks for a decision on every call setup (centrex.switch_api.route), so reading the
rules must cost no query. They are cached per account (accounts.switch_api.generations: in
Redis in production, shared by all processes) and invalidated by `invalidate(account)`, which
every change of rules or of the master switch calls (centrex.screening.services — the portal,
the admin and the commands all change them there).

Only the rules and the switch are cached. What else the decision reads — the account's
features, time zone and country — comes fresh with the account row that the called number is
looked up with, so changing those needs no invalidation.
"""

from __future__ import annotations

from datetime import datetime

from accounts.models import Account
from accounts.switch_api import generations
from centrex.screening.decision import Decision, decide
from centrex.screening.models import ScreeningRule, ScreeningSettings


def _keys(account_pk: int) -> tuple[str, str]:
    return f"screening:compiled:{account_pk}", f"screening:generation:{account_pk}"


def invalidate(account: Account | int) -> None:
    """Forget the account's cached rules; call on every change, inside its transaction."""
    pk = account if isinstance(account, int) else account.pk
    generations.bump(_keys(pk)[1])


def cached_screening(account: Account) -> tuple[ScreeningSettings, list[ScreeningRule]]:
    """The account's master switch and its rules in list order, from the cache if there."""
    key, generation_key = _keys(account.pk)
    cached, generation = generations.get(key, generation_key)
    if cached is generations.MISSING:
        found = ScreeningSettings.objects.filter(account=account).first()
        # The order of decision.ordered_rules; through the model's manager, not the account's,
        # so that the rules do not carry (and pickle) the account row.
        rules = list(ScreeningRule.objects.filter(account_id=account.pk).order_by("position", "id"))
        cached = (found.enabled if found else True, rules)
        generations.put(key, generation, cached)
    enabled, rules = cached
    return ScreeningSettings(account=account, enabled=enabled), rules


def decide_cached(
    account: Account, caller: str | None, called: str | None = None, at: datetime | None = None
) -> Decision:
    """decide() with the cached rules: the same answer, without reading them."""
    if not account.call_screening_enabled:
        # decide() answers this before it reads anything.
        return decide(account, caller, called, at)
    settings, rules = cached_screening(account)
    return decide(account, caller, called, at, rules=rules, settings=settings)
