"""Call screening: number patterns, time windows, the decision, and the audited changes.

`decide()` is the one implementation of "what does the switch do with this call": the portal's
"What happens if…" tester calls it, and so would an integration with the switch. Everything
that changes rules or the master switch goes through `changes` and `blocklist`, each function
of which leaves an audit event.

- `numbers`: phone numbers in one international form, the account's country and numbers;
- `patterns`: caller patterns in the operator's syntax (checking, matching, covering);
- `windows`: the days and hours of a rule, in the account's time zone (DST included);
- `decision`: `decide()` and the `Decision` it returns;
- `shadows`: rules that can never apply because a rule above matches their calls first;
- `changes`: the master switch and the rules, created, changed, deleted, moved (audited);
- `blocklist`: "block this number", the "Blocked numbers" rule (audited);
- `forms`: the rule form, the tester's form and the staff's rule form (import it from there).

Use the names below as `screening.decide(...)`; they are the package's public API.
"""

from __future__ import annotations

from centrex.screening.blocklist import BLOCKLIST_NAME, BlockResult, block_number
from centrex.screening.changes import (
    delete_rule,
    move_rule,
    rule_snapshot,
    save_rule,
    screening_on,
    set_rule_enabled,
    set_screening_on,
)
from centrex.screening.decision import (
    Decision,
    Reason,
    decide,
    load_settings,
    ordered_rules,
    rule_matches,
)
from centrex.screening.numbers import (
    ANONYMOUS_CALLER_IDS,
    DEFAULT_REGION,
    account_numbers,
    anonymous_words,
    clean_number,
    clean_text,
    is_number,
    number_key,
    phone_number_e164,
    region_of,
)
from centrex.screening.patterns import (
    MAX_PATTERN_DIGITS,
    Pattern,
    compile_pattern,
    describe_patterns,
    display_pattern,
    parse_pattern,
    parse_patterns,
)
from centrex.screening.shadows import Shadow, find_shadowed, rule_covers, shadow_warnings
from centrex.screening.windows import (
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    LocalTime,
    describe_window,
    resolve_local,
    window_contains,
    window_minutes,
)

__all__ = [
    # numbers
    "ANONYMOUS_CALLER_IDS",
    "DEFAULT_REGION",
    "account_numbers",
    "anonymous_words",
    "clean_number",
    "clean_text",
    "is_number",
    "number_key",
    "phone_number_e164",
    "region_of",
    # patterns
    "MAX_PATTERN_DIGITS",
    "Pattern",
    "compile_pattern",
    "describe_patterns",
    "display_pattern",
    "parse_pattern",
    "parse_patterns",
    # windows
    "MINUTES_PER_DAY",
    "MINUTES_PER_WEEK",
    "LocalTime",
    "describe_window",
    "resolve_local",
    "window_contains",
    "window_minutes",
    # decision
    "Decision",
    "Reason",
    "decide",
    "load_settings",
    "ordered_rules",
    "rule_matches",
    # shadows
    "Shadow",
    "find_shadowed",
    "rule_covers",
    "shadow_warnings",
    # changes
    "delete_rule",
    "move_rule",
    "rule_snapshot",
    "save_rule",
    "screening_on",
    "set_rule_enabled",
    "set_screening_on",
    # blocklist
    "BLOCKLIST_NAME",
    "BlockResult",
    "block_number",
]
