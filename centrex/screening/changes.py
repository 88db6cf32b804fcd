"""Changes to the master switch and the rules; each one leaves an audit event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts import audit
from accounts.models import Account
from centrex.models.screening import ScreeningRule, ScreeningSettings
from centrex.screening.decision import load_settings

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
    account: Account, on: bool, *, request: HttpRequest | None = None, actor=None
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
        audit.record(
            "screening.switched_on" if on else "screening.switched_off",
            account=account,
            actor=actor,
            request=request,
            message="Call screening switched on" if on else "Call screening switched off",
        )
    return True


def _next_position(account: Account) -> int:
    highest = account.screening_rules.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def save_rule(
    rule: ScreeningRule, *, request: HttpRequest | None = None, actor=None
) -> ScreeningRule:
    """Create (at the end of the list) or update a rule, and audit what changed."""
    with transaction.atomic():
        if rule.pk is None:
            rule.position = _next_position(rule.account)
            rule.save()
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
        after = rule_snapshot(rule)
        changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
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


def delete_rule(rule: ScreeningRule, *, request: HttpRequest | None = None, actor=None) -> None:
    with transaction.atomic():
        snapshot = rule_snapshot(rule)
        rule_id = rule.pk
        rule.delete()
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
    rule: ScreeningRule, enabled: bool, *, request: HttpRequest | None = None, actor=None
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
    rule: ScreeningRule, up: bool, *, request: HttpRequest | None = None, actor=None
) -> bool:
    """Move a rule one place up or down; returns False when it is already first/last."""
    with transaction.atomic():
        # Lock the account's rules so two reorderings at once cannot interleave.
        rules = list(
            ScreeningRule.objects.select_for_update()
            .filter(account_id=rule.account_id)
            .order_by("position", "id")
        )
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
