"""Rules that can never apply: an enabled rule above matches every call they match."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from accounts.models import Account
from centrex.screening.decision import ordered_rules
from centrex.screening.models import ScreeningRule
from centrex.screening.numbers import number_key, region_of
from centrex.screening.patterns import Pattern, compile_pattern
from centrex.screening.windows import window_minutes

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass(frozen=True)
class Shadow:
    """Rule `number` is never reached: rule `by_number` above matches all of its calls first."""

    number: int
    rule: ScreeningRule
    by_number: int
    by: ScreeningRule

    @property
    def duplicate(self) -> bool:
        """Same action as the rule that hides it: the rule is simply redundant."""
        return (
            self.rule.action == self.by.action
            and self.rule.forward_to == self.by.forward_to
            and (not self.rule.rings_first or self.rule.ring_seconds == self.by.ring_seconds)
        )

    def message(self) -> str:
        params = {"number": self.by_number, "name": self.by.name}
        if self.duplicate:
            return (
                _(
                    "Repeats rule %(number)d “%(name)s” above: it matches the same calls and "
                    "does the same, so this rule never applies."
                )
                % params
            )
        return (
            _(
                "Never applies: rule %(number)d “%(name)s” above matches the same calls first "
                "and does something else."
            )
            % params
        )


@dataclass(frozen=True)
class _Conditions:
    """A rule's conditions prepared once, for comparing it with many other rules."""

    called: str | None
    minutes: int
    patterns: tuple[Pattern, ...]

    @classmethod
    def of(cls, rule: ScreeningRule, region: str) -> _Conditions:
        return cls(
            called=number_key(rule.called_number, region) if rule.called_number else None,
            minutes=window_minutes(rule),
            patterns=tuple(compile_pattern(p, region) for p in rule.patterns),
        )

    def covers(self, other: _Conditions) -> bool:
        if self.called is not None and self.called != other.called:
            return False
        if other.minutes & ~self.minutes:
            return False
        return all(any(p.covers(q) for p in self.patterns) for q in other.patterns)


def rule_covers(earlier: ScreeningRule, later: ScreeningRule, region: str) -> bool:
    """True when every call `later` matches is matched by `earlier` as well."""
    return _Conditions.of(earlier, region).covers(_Conditions.of(later, region))


def find_shadowed(rules: Sequence[ScreeningRule], region: str) -> dict[int, Shadow]:
    """Enabled rules that an enabled rule above matches completely, by rule id.

    Only single rules are compared: a rule hidden by two rules above together is not found.
    """
    found: dict[int, Shadow] = {}
    enabled = [
        (number, rule, _Conditions.of(rule, region))
        for number, rule in enumerate(rules, start=1)
        if rule.enabled
    ]
    for index, (number, rule, conditions) in enumerate(enabled):
        for by_number, earlier, earlier_conditions in enabled[:index]:
            if earlier_conditions.covers(conditions):
                found[rule.pk] = Shadow(number, rule, by_number, earlier)
                break
    return found


def shadow_warnings(account: Account, rule: ScreeningRule) -> list[str]:
    """Warnings to show after saving `rule`: it is hidden, or it hides rules below it."""
    rules = ordered_rules(account)
    shadows = find_shadowed(rules, region_of(account))
    warnings = []
    if rule.pk in shadows:
        warnings.append(shadows[rule.pk].message())
    for shadow in shadows.values():
        if shadow.by.pk == rule.pk:
            warnings.append(
                _(
                    "Rule %(number)d “%(name)s” below now never applies: this rule matches the "
                    "same calls first."
                )
                % {"number": shadow.number, "name": shadow.rule.name}
            )
    return warnings
