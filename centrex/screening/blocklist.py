"""The "block this number" button: a caller number added to the "Blocked numbers" rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import audit
from accounts.models import Account
from centrex.models.screening import ANONYMOUS, ScreeningRule
from centrex.screening.changes import screening_on
from centrex.screening.decision import ordered_rules
from centrex.screening.numbers import _NUMBER, anonymous_words, clean_text, region_of
from centrex.screening.patterns import MAX_PATTERN_DIGITS, Pattern, compile_pattern

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class BlockResult:
    pattern: str  # the number as added ("anonymous" for calls without a number)
    rule: ScreeningRule
    created_rule: bool  # the "Blocked numbers" rule had to be created
    added: bool  # False: the number was already blocked by that rule
    warnings: list[str] = field(default_factory=list)


BLOCKLIST_NAME = gettext_lazy("Blocked numbers")


def block_number(
    account: Account, raw_number: str, *, request: HttpRequest | None = None, actor=None
) -> BlockResult:
    """Add a caller number to the account's "Blocked numbers" reject rule.

    The rule is created at the top of the list when the account has none. Raises
    ValidationError for something that is not a phone number (or "anonymous").
    """
    text = clean_text(raw_number)
    if text in anonymous_words() or text == ANONYMOUS:
        pattern = ANONYMOUS
    elif _NUMBER.match(text) and len(text.lstrip("+")) <= MAX_PATTERN_DIGITS + 2:
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
        if created:
            account.screening_rules.update(position=F("position") + 1)
            rule = ScreeningRule.objects.create(
                account=account,
                position=0,
                name=str(BLOCKLIST_NAME),
                caller_patterns="",
                action=ScreeningRule.Action.REJECT,
                is_blocklist=True,
            )
        already = any(compile_pattern(p, region).covers(compiled) for p in rule.patterns)
        if not already:
            rule.caller_patterns = "\n".join([*rule.patterns, pattern])
            rule.save(update_fields=["caller_patterns", "updated_at"])
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
