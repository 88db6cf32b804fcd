"""The decision: what the switch does with a call, and why.

`decide()` is the one implementation of "what does the switch do with this call": the portal's
"What happens if…" tester calls it, and so would an integration with the switch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Account
from centrex.screening.models import ScreeningRule, ScreeningSettings
from centrex.screening.numbers import number_key, region_of
from centrex.screening.patterns import compile_pattern
from centrex.screening.windows import window_contains

if TYPE_CHECKING:
    from collections.abc import Sequence


class Reason:
    FEATURE_OFF = "feature_off"  # staff have not enabled call screening for the account
    SWITCHED_OFF = "switched_off"  # the customer's master switch is off
    NO_MATCH = "no_match"
    RULE = "rule"
    VOICEMAIL_OFF = "voicemail_off"  # the rule sends to voicemail, which is disabled


@dataclass(frozen=True)
class Decision:
    """What the switch does with a call, and why."""

    action: str
    reason: str
    rule: ScreeningRule | None = None
    rule_number: int | None = None  # 1-based, as the rule list numbers the rules
    forward_to: str = ""
    ring_seconds: int | None = None
    # Disabled rules before the deciding point that would have matched (for the tester).
    disabled_matches: list[tuple[int, ScreeningRule]] = field(default_factory=list)

    @property
    def rings(self) -> bool:
        return self.action == ScreeningRule.Action.RING

    def describe_action(self) -> str:
        action = ScreeningRule.Action
        seconds = self.ring_seconds or 0
        if self.action == action.REJECT:
            return _("The call is rejected.")
        if self.action == action.FORWARD:
            return _("The call is forwarded to %(number)s.") % {"number": self.forward_to}
        if self.action == action.VOICEMAIL:
            return _("The call goes to voicemail.")
        if self.action == action.RING_THEN_VOICEMAIL:
            return ngettext(
                "Your phone rings for %(seconds)d second, then the call goes to voicemail.",
                "Your phone rings for %(seconds)d seconds, then the call goes to voicemail.",
                seconds,
            ) % {"seconds": seconds}
        if self.action == action.RING_THEN_FORWARD:
            return ngettext(
                "Your phone rings for %(seconds)d second, then the call is forwarded to "
                "%(number)s.",
                "Your phone rings for %(seconds)d seconds, then the call is forwarded to "
                "%(number)s.",
                seconds,
            ) % {"seconds": seconds, "number": self.forward_to}
        return _("Your phone rings.")

    def describe_reason(self) -> str:
        if self.reason == Reason.FEATURE_OFF:
            return _("Call screening is not enabled for your account, so no rule applies.")
        if self.reason == Reason.SWITCHED_OFF:
            return _("Call screening is switched off, so no rule applies.")
        if self.reason == Reason.NO_MATCH:
            return _("No rule matches this call.")
        params = {"number": self.rule_number, "name": self.rule.name if self.rule else ""}
        if self.reason == Reason.VOICEMAIL_OFF:
            return (
                _(
                    "Rule %(number)d “%(name)s” matches, but voicemail is disabled for your "
                    "account, so the phone rings instead."
                )
                % params
            )
        return _("Rule %(number)d “%(name)s” matches.") % params


def load_settings(account: Account) -> ScreeningSettings:
    """The account's master switch; an unsaved default (on) until the customer changes it."""
    found = ScreeningSettings.objects.filter(account=account).first()
    return found or ScreeningSettings(account=account)


def ordered_rules(account: Account) -> list[ScreeningRule]:
    return list(account.screening_rules.order_by("position", "id"))


def rule_matches(
    rule: ScreeningRule, caller_key: str | None, called_key: str | None, local: datetime, region
) -> bool:
    """`called_key` None: the called number is not known, so rules limited to one don't match."""
    if rule.called_number and (
        called_key is None or number_key(rule.called_number, region) != called_key
    ):
        return False
    if not window_contains(rule, local):
        return False
    return any(compile_pattern(p, region).matches(caller_key) for p in rule.patterns)


def decide(
    account: Account,
    caller: str | None,
    called: str | None = None,
    at: datetime | None = None,
    *,
    rules: Sequence[ScreeningRule] | None = None,
    settings: ScreeningSettings | None = None,
) -> Decision:
    """What the switch does with a call from `caller` to `called` at the moment `at`.

    `caller` is the caller number as the switch presents it (empty or "anonymous" for a
    withheld number); `called` is the account's number that was dialled (None: not known, so
    rules limited to one of the account's numbers do not match); `at` is an aware moment
    (default: now). The first enabled rule that matches wins; with none, the phone rings.
    `rules` and `settings` may be passed in to save the queries.
    """
    ring = ScreeningRule.Action.RING
    if not account.call_screening_enabled:
        return Decision(action=ring, reason=Reason.FEATURE_OFF)
    settings = settings if settings is not None else load_settings(account)
    if not settings.enabled:
        return Decision(action=ring, reason=Reason.SWITCHED_OFF)

    region = region_of(account)
    local = timezone.localtime(at or timezone.now(), account.zone)
    caller_key = number_key(caller, region)
    called_key = number_key(called, region) if called else None
    disabled: list[tuple[int, ScreeningRule]] = []
    rules = rules if rules is not None else ordered_rules(account)
    for number, rule in enumerate(rules, start=1):
        if not rule_matches(rule, caller_key, called_key, local, region):
            continue
        if not rule.enabled:
            disabled.append((number, rule))
            continue
        if rule.uses_voicemail and not account.voicemail_enabled:
            return Decision(
                action=ring,
                reason=Reason.VOICEMAIL_OFF,
                rule=rule,
                rule_number=number,
                disabled_matches=disabled,
            )
        return Decision(
            action=rule.action,
            reason=Reason.RULE,
            rule=rule,
            rule_number=number,
            forward_to=rule.forward_to if rule.forwards else "",
            ring_seconds=rule.ring_seconds if rule.rings_first else None,
            disabled_matches=disabled,
        )
    return Decision(action=ring, reason=Reason.NO_MATCH, disabled_matches=disabled)
