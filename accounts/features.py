"""The features and limits operator staff set for an account: one service for the admin, the
`set_features` command and the account import, so each gives the same verdict and the same
audit event ("account.features").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts import audit, validators
from accounts.models import Account

# The feature switches staff set, by the names commands and CSV files use.
FEATURES = {
    "call_screening": "call_screening_enabled",
    "voicemail": "voicemail_enabled",
    "conferences": "conferences_enabled",
}
# The limits, by their Account fields (what the admin form edits, besides FEATURES).
LIMIT_FIELDS = (
    "max_conference_participants",
    "max_concurrent_conferences",
    "mailbox",
    "credit_limit",
)


FEATURE_FIELDS = tuple(FEATURES.values())
# Every Account field staff set as a feature or limit (change_features takes exactly these).
FEATURE_AND_LIMIT_FIELDS = frozenset({*FEATURE_FIELDS, *LIMIT_FIELDS})


def set_features(
    account: Account,
    *,
    enable: Iterable[str] = (),
    disable: Iterable[str] = (),
    max_participants: int | None = None,
    max_conferences: int | None = None,
    mailbox: str | None = None,
    credit_limit: Decimal | None = None,
    actor: audit.Actor = None,
    request: HttpRequest | None = None,
    dry_run: bool = False,
) -> dict[str, list[Any]]:
    """Switch features on or off and set limits, by the names commands use; audited.

    `enable`/`disable` take names from FEATURES; `mailbox=""` takes the mailbox away; None
    leaves a limit as it is. See change_features for the rest.
    """
    enable, disable = list(enable), list(disable)
    errors: list[ValidationError] = []
    for name in [*enable, *disable]:
        if name not in FEATURES:
            errors.append(
                ValidationError(
                    _("Unknown feature %(name)s; the features are: %(features)s."),
                    code="unknown_feature",
                    params={"name": name, "features": ", ".join(FEATURES)},
                )
            )
    for name in sorted(set(enable) & set(disable)):
        errors.append(
            ValidationError(
                _("The feature %(name)s cannot be both switched on and off."),
                code="on_and_off",
                params={"name": name},
            )
        )
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {FEATURES[name]: True for name in enable}
    values.update({FEATURES[name]: False for name in disable})
    limits = {
        "max_conference_participants": max_participants,
        "max_concurrent_conferences": max_conferences,
        "mailbox": mailbox,
        "credit_limit": credit_limit,
    }
    values.update({name: value for name, value in limits.items() if value is not None})
    return change_features(account, values, actor=actor, request=request, dry_run=dry_run)


def check_features(account: Account, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values to store for these feature and limit fields of the account.

    Raises ValidationError keyed by field (every wrong value at once), so a form shows each
    error at its field and a command lists them all.
    """
    unknown = set(values) - FEATURE_AND_LIMIT_FIELDS
    if unknown:
        raise ValueError(f"Not a feature or limit field: {', '.join(sorted(unknown))}")
    checks: dict[str, Callable[[Any], Any]] = {
        "max_conference_participants": _keeping(validators.validate_max_participants),
        "max_concurrent_conferences": _keeping(validators.validate_max_conferences),
        "credit_limit": validators.validate_credit_limit,
        "mailbox": lambda mailbox: _free_mailbox(mailbox, account),
    }
    cleaned: dict[str, Any] = {}
    errors: dict[str, ValidationError] = {}
    for name, value in values.items():
        if name in FEATURE_FIELDS:
            cleaned[name] = bool(value)
            continue
        try:
            cleaned[name] = checks[name](value)
        except ValidationError as error:
            errors[name] = error
    if errors:
        raise ValidationError(errors)
    return cleaned


def change_features(
    account: Account,
    values: Mapping[str, Any],
    *,
    actor: audit.Actor = None,
    request: HttpRequest | None = None,
    dry_run: bool = False,
) -> dict[str, list[Any]]:
    """Set feature switches and limits (Account field → value) and audit what changed.

    Returns {field: [old, new]} of what changed (empty: nothing did, and nothing is audited).
    Raises ValidationError, changing nothing, when any value is wrong. With `dry_run`, says
    what would change and saves nothing.
    """
    cleaned = check_features(account, values)
    if dry_run:
        return audit.diff({name: getattr(account, name) for name in cleaned}, cleaned)
    changes = audit.apply_changes(account, cleaned)
    if changes:
        account.save(update_fields=[*changes, "updated_at"])
        audit.record_changes(
            "account.features", changes, account=account, actor=actor, request=request
        )
    return changes


def _keeping(check: Callable[[int], None]) -> Callable[[int], int]:
    """A check that only raises, as a cleaner that gives the value back."""

    def clean(value: int) -> int:
        check(value)
        return value

    return clean


def _free_mailbox(value: str | None, account: Account) -> str | None:
    """A mailbox number that no other account has; "" or None takes the mailbox away."""
    if not value or not value.strip():
        return None
    mailbox = validators.validate_mailbox(value)
    owner = (
        Account.objects.filter(mailbox=mailbox)
        .exclude(pk=account.pk)
        .values_list("account_id", flat=True)
        .first()
    )
    if owner:
        raise ValidationError(
            _("The mailbox %(mailbox)s already belongs to the account %(owner)s."),
            code="mailbox_taken",
            params={"mailbox": mailbox, "owner": owner},
        )
    return mailbox
