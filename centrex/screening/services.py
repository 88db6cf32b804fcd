"""Changes to call screening: the master switch, the rules and "block this number".

Views, the admin and commands change screening data only through these functions; each one
that changes something leaves an audit event, and none leaves one when nothing changed, and
each invalidates the rules the switch API keeps cached (`rule_cache.invalidate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import audit
from accounts.models import Account
from centrex.screening import rule_cache
from centrex.screening.decision import load_settings, ordered_rules
from centrex.screening.models import ANONYMOUS, ScreeningRule, ScreeningSettings
from centrex.screening.numbers import anonymous_words, clean_text, is_number, region_of
from centrex.screening.patterns import MAX_PATTERN_DIGITS, Pattern, compile_pattern

if TYPE_CHECKING:
    from django.http import HttpRequest


def rule_snapshot(rule: ScreeningRule) -> dict:
    """A rule as the audit trail records it."""
    return {
        "name": rule.name,
        "enabled": rule.enabled,
        "patterns": rule.patterns,
        "called_number": rule.called_number,
        "days": rule.weekdays,
        "time_from": f"{rule.time_from:%H:%M}" if rule.time_from else None,
        "time_to": f"{rule.time_to:%H:%M}" if rule.time_to else None,
        "action": rule.action,
        "forward_to": rule.forward_to,
        "ring_seconds": rule.ring_seconds,
    }


def screening_on(account: Account) -> bool:
    return load_settings(account).enabled


def set_screening_on(
    account: Account, on: bool, *, request: HttpRequest | None = None, actor: audit.Actor = None
) -> bool:
    """Switch screening on or off for the account; returns whether anything changed."""
    with transaction.atomic():
        settings, _created = ScreeningSettings.objects.select_for_update().get_or_create(
            account=account
        )
        if settings.enabled == on:
            return False
        settings.enabled = on
        settings.save(update_fields=["enabled", "updated_at"])
        rule_cache.invalidate(account)
        audit.record(
            "screening.switched_on" if on else "screening.switched_off",
            account=account,
            actor=actor,
            request=request,
            message="Call screening switched on" if on else "Call screening switched off",
        )
    return True


def reset_screening_settings(
    account: Account, *, request: HttpRequest | None = None, actor: audit.Actor = None
) -> None:
    """Forget the account's master switch (staff help): screening is on again, as by default."""
    deleted, _by_model = ScreeningSettings.objects.filter(account=account).delete()
    if deleted:
        rule_cache.invalidate(account)
        audit.record(
            "screening.settings_reset",
            account=account,
            actor=actor,
            request=request,
            message="Call screening settings reset to the defaults",
        )


def _lock_rules(account_id: int) -> list[ScreeningRule]:
    """Lock the account's rules for a reordering; returns them in list order.

    The locks are taken in id order, which never changes: in position order, a transaction that
    read the list before another's reordering committed would lock the same rows in a different
    order than one that read it after, and PostgreSQL would abort one of them as a deadlock.
    """
    rules = list(
        ScreeningRule.objects.select_for_update().filter(account_id=account_id).order_by("id")
    )
    return sorted(rules, key=lambda rule: (rule.position, rule.pk))


def _next_position(account: Account) -> int:
    highest = account.screening_rules.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def save_rule(
    rule: ScreeningRule, *, request: HttpRequest | None = None, actor: audit.Actor = None
) -> ScreeningRule:
    """Create (at the end of the list) or update a rule, and audit what changed."""
    with transaction.atomic():
        if rule.pk is None:
            rule.position = _next_position(rule.account)
            rule.save()
            rule_cache.invalidate(rule.account_id)
            audit.record(
                "screening.rule_created",
                account=rule.account,
                actor=actor,
                request=request,
                message=f"Call screening rule “{rule.name}” created",
                rule=rule.pk,
                **rule_snapshot(rule),
            )
            return rule
        before = rule_snapshot(ScreeningRule.objects.select_for_update().get(pk=rule.pk))
        if rule.is_blocklist and rule.action != ScreeningRule.Action.REJECT:
            # It no longer blocks, so "block this number" must not add numbers to it.
            rule.is_blocklist = False
        rule.save()
        rule_cache.invalidate(rule.account_id)
        changes = audit.diff(before, rule_snapshot(rule))
        if changes:
            audit.record(
                "screening.rule_changed",
                account=rule.account,
                actor=actor,
                request=request,
                message=f"Call screening rule “{rule.name}” changed",
                rule=rule.pk,
                changes=changes,
            )
    return rule


def delete_rule(
    rule: ScreeningRule, *, request: HttpRequest | None = None, actor: audit.Actor = None
) -> None:
    with transaction.atomic():
        snapshot = rule_snapshot(rule)
        rule_id = rule.pk
        rule.delete()
        rule_cache.invalidate(rule.account_id)
        audit.record(
            "screening.rule_deleted",
            account=rule.account,
            actor=actor,
            request=request,
            message=f"Call screening rule “{rule.name}” deleted",
            rule=rule_id,
            **snapshot,
        )


def set_rule_enabled(
    rule: ScreeningRule,
    enabled: bool,
    *,
    request: HttpRequest | None = None,
    actor: audit.Actor = None,
) -> bool:
    """Enable or disable a rule; returns whether anything changed."""
    with transaction.atomic():
        changed = (
            ScreeningRule.objects.filter(pk=rule.pk)
            .exclude(enabled=enabled)
            .update(enabled=enabled, updated_at=timezone.now())
        )
        rule.enabled = enabled
        if changed:
            rule_cache.invalidate(rule.account_id)
            audit.record(
                "screening.rule_enabled" if enabled else "screening.rule_disabled",
                account=rule.account,
                actor=actor,
                request=request,
                message=f"Call screening rule “{rule.name}” "
                + ("enabled" if enabled else "disabled"),
                rule=rule.pk,
            )
    return bool(changed)


def move_rule(
    rule: ScreeningRule, up: bool, *, request: HttpRequest | None = None, actor: audit.Actor = None
) -> bool:
    """Move a rule one place up or down; returns False when it is already first/last."""
    with transaction.atomic():
        # Two reorderings at once must not interleave.
        rules = _lock_rules(rule.account_id)
        index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
        target = index - 1 if up else index + 1
        if not 0 <= target < len(rules):
            return False
        rules[index], rules[target] = rules[target], rules[index]
        renumbered = []
        for position, item in enumerate(rules):
            if item.position != position:
                item.position = position
                renumbered.append(item)
        ScreeningRule.objects.bulk_update(renumbered, ["position"])
        rule_cache.invalidate(rule.account_id)
        audit.record(
            "screening.rule_moved",
            account=rule.account,
            actor=actor,
            request=request,
            message=f"Call screening rule “{rule.name}” moved {'up' if up else 'down'}",
            rule=rule.pk,
            **{"from": index + 1, "to": target + 1},
        )
    return True


# --- "Block this number" -----------------------------------------------------------------


@dataclass(frozen=True)
class BlockResult:
    pattern: str  # the number as added ("anonymous" for calls without a number)
    rule: ScreeningRule
    created_rule: bool  # the "Blocked numbers" rule had to be created
    added: bool  # False: the number was already blocked by that rule
    warnings: list[str] = field(default_factory=list)


BLOCKLIST_NAME = gettext_lazy("Blocked numbers")


def block_number(
    account: Account,
    raw_number: str,
    *,
    request: HttpRequest | None = None,
    actor: audit.Actor = None,
) -> BlockResult:
    """Add a caller number to the account's "Blocked numbers" reject rule.

    The rule is created at the top of the list when the account has none. Raises
    ValidationError for something that is not a phone number (or "anonymous").
    """
    text = clean_text(raw_number)
    if text in anonymous_words() or text == ANONYMOUS:
        pattern = ANONYMOUS
    elif is_number(text) and len(text.lstrip("+")) <= MAX_PATTERN_DIGITS + 2:
        pattern = text
    else:
        raise ValidationError(
            _("“%(number)s” is not a phone number, so it cannot be blocked."),
            code="invalid_number",
            params={"number": (raw_number or "").strip()[:40]},
        )
    region = region_of(account)
    compiled = compile_pattern(pattern, region)
    with transaction.atomic():
        # Lock the account row: two "block" clicks at once must not create two rules.
        Account.objects.select_for_update().filter(pk=account.pk).first()
        rule = account.screening_rules.filter(is_blocklist=True).first()
        created = rule is None
        if rule is None:
            # An UPDATE locks rows in whatever order it finds them; a reordering under way
            # holds them in id order, so take them in that order first.
            _lock_rules(account.pk)
            account.screening_rules.update(position=F("position") + 1)
            rule = ScreeningRule.objects.create(
                account=account,
                position=0,
                name=str(BLOCKLIST_NAME),
                caller_patterns="",
                action=ScreeningRule.Action.REJECT,
                is_blocklist=True,
            )
            rule_cache.invalidate(account)
        already = any(compile_pattern(p, region).covers(compiled) for p in rule.patterns)
        if not already:
            rule.caller_patterns = "\n".join([*rule.patterns, pattern])
            rule.save(update_fields=["caller_patterns", "updated_at"])
            rule_cache.invalidate(account)
            audit.record(
                "screening.number_blocked",
                account=account,
                actor=actor,
                request=request,
                message=f"Number {pattern} added to call screening rule “{rule.name}”",
                rule=rule.pk,
                number=pattern,
                created_rule=created,
            )
    return BlockResult(
        pattern=pattern,
        rule=rule,
        created_rule=created,
        added=not already,
        warnings=_block_warnings(account, rule, compiled, region),
    )


def _block_warnings(
    account: Account, blocklist: ScreeningRule, number: Pattern, region: str
) -> list[str]:
    warnings = []
    if not screening_on(account):
        warnings.append(
            _("Call screening is switched off: switch it on for the block to take effect.")
        )
    if not blocklist.enabled:
        warnings.append(
            _("The rule “%(name)s” is disabled: enable it for the block to take effect.")
            % {"name": blocklist.name}
        )
    for position, rule in enumerate(ordered_rules(account), start=1):
        if rule.pk == blocklist.pk:
            break
        if rule.enabled and any(compile_pattern(p, region).covers(number) for p in rule.patterns):
            warnings.append(
                _(
                    "Rule %(number)d “%(name)s” above also matches this number and comes first, "
                    "so it may handle the call instead."
                )
                % {"number": position, "name": rule.name}
            )
    return warnings
