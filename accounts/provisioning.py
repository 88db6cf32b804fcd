"""Creating and looking after customer accounts: the account import, the admin and commands
call these, so an account is created, blocked or sent a password link in one way only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from accounts import audit, bulk, mail
from accounts.features import FEATURE_AND_LIMIT_FIELDS, change_features
from accounts.ledger.services import LedgerLine, change_balance_bulk
from accounts.models import Account, BalanceEntry, PhoneNumber, User
from accounts.sip import credentials as sip_credentials


def set_status(
    account: Account,
    status: str,
    *,
    actor: audit.Actor = None,
    request: HttpRequest | None = None,
) -> None:
    """Block or unblock an account. A blocked account is signed out on its next request, and
    its phones can neither register nor call from this transaction on (no SIP credentials)."""
    if status not in Account.Status.values:
        raise ValueError(f"Unknown account status: {status!r}")
    if account.status == status:
        return
    old = account.status
    account.status = status
    with transaction.atomic():
        account.save(update_fields=["status", "updated_at"])
        sip_credentials.sync_account(account)
        audit.record(
            "account.status", account=account, actor=actor, request=request, old=old, new=status
        )


@dataclass
class AccountResult:
    account: Account
    created: bool
    changes: dict[str, list[str]] = field(default_factory=dict)


# Fields of the customer's User (the rest of an account's values are the Account's own).
ACCOUNT_USER_FIELDS = ("email",)
# The fields the proxy's credentials are made of (see accounts.sip.credentials).
SIP_CREDENTIAL_FIELDS = frozenset({"account_id", "status", "sip_password"})


def account_changes(account: Account, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """What setting `values` would change on an existing account (nothing is saved)."""
    before = {
        name: getattr(account.user if name in ACCOUNT_USER_FIELDS else account, name)
        for name in values
    }
    return audit.diff(before, values)


@dataclass
class NewAccount:
    """An account to create: its login (not taken), validated values and what comes with it.

    `values` maps Account fields (and `email`, the User's) to valid values. `password_hash`
    comes from make_password() (None: no usable password). `numbers` are E.164 digits that
    belong to no other account (None or empty: none).
    """

    login: str
    values: Mapping[str, Any]
    password_hash: str | None = None
    opening_balance: Decimal | None = None
    numbers: Sequence[str] | None = None


@transaction.atomic
def create_accounts(new: Sequence[NewAccount], *, actor: audit.Actor = None) -> list[Account]:
    """Create these accounts, audited, in a few statements however many they are (an import
    creates thousands: one at a time, the writing cost more than hashing their passwords).

    Each gets its SIP credentials, its "account.create" event, its opening balance booked
    through the ledger and its numbers (with their "account.numbers" event), in that order.
    The caller has checked that no login, account ID, mailbox or number is taken.
    """
    users, accounts = [], []
    for item in new:
        user = User(
            username=item.login,
            **{k: v for k, v in item.values.items() if k in ACCOUNT_USER_FIELDS},
        )
        if item.password_hash:
            user.password = item.password_hash
        else:
            user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=bulk.ORM_BATCH_SIZE)
    for item, user in zip(new, users, strict=True):
        account_values = {k: v for k, v in item.values.items() if k not in ACCOUNT_USER_FIELDS}
        account_values.setdefault("account_id", item.login)
        accounts.append(Account(user=user, **account_values))
    Account.objects.bulk_create(accounts, batch_size=bulk.ORM_BATCH_SIZE)
    sip_credentials.sync_accounts(accounts)
    audit.record_all(
        [
            audit.unsaved(
                "account.create",
                {
                    "login": item.login,
                    **{name: audit.value(value) for name, value in item.values.items()},
                },
                account=account,
                actor=actor,
            )
            for item, account in zip(new, accounts, strict=True)
        ]
    )
    opening_balances = []
    for item, account in zip(new, accounts, strict=True):
        if item.opening_balance:
            with translation.override(account.language):
                description = str(_("Opening balance"))
            opening_balances.append(
                LedgerLine(
                    account.pk, item.opening_balance, BalanceEntry.Kind.ADJUSTMENT, description
                )
            )
    change_balance_bulk(opening_balances, actor=actor)
    numbered = [
        (account, sorted(set(item.numbers)))
        for item, account in zip(new, accounts, strict=True)
        if item.numbers
    ]
    PhoneNumber.objects.bulk_create(
        [
            PhoneNumber(account=account, number=number)
            for account, wanted in numbered
            for number in wanted
        ],
        batch_size=bulk.ORM_BATCH_SIZE,
    )
    audit.record_all(
        [
            audit.unsaved(
                "account.numbers", _numbers_change([], wanted), account=account, actor=actor
            )
            for account, wanted in numbered
        ]
    )
    return accounts


@transaction.atomic
def create_or_update_account(
    login: str,
    values: Mapping[str, Any],
    *,
    password_hash: str | None = None,
    opening_balance: Decimal | None = None,
    actor: audit.Actor = None,
) -> AccountResult:
    """Create the account with this login, or bring an existing one up to `values`; audited.

    `values` maps Account fields (and `email`, the User's) to valid values; the caller has
    validated them. `password_hash` comes from make_password(): Argon2 takes tens of
    milliseconds, so callers hash outside the transaction. The opening balance is booked through the
    ledger, and only when the account is created.
    """
    account = Account.objects.select_related("user").filter(user__username=login).first()
    if account is None:
        new = NewAccount(login, values, password_hash, opening_balance)
        return AccountResult(create_accounts([new], actor=actor)[0], True)

    user_values = {k: v for k, v in values.items() if k in ACCOUNT_USER_FIELDS}
    account_values = {k: v for k, v in values.items() if k not in ACCOUNT_USER_FIELDS}
    user = account.user
    account_id = account.account_id
    changes = audit.apply_changes(user, user_values)
    if password_hash:
        user.password = password_hash
        changes["password"] = ["", "changed"]
    if changes:
        user.save(update_fields=list(changes))
    # Features and limits change as staff change them anywhere, with their own audit event.
    feature_values = {k: v for k, v in account_values.items() if k in FEATURE_AND_LIMIT_FIELDS}
    feature_changes = change_features(account, feature_values, actor=actor)
    other_values = {k: v for k, v in account_values.items() if k not in FEATURE_AND_LIMIT_FIELDS}
    other_changes = audit.apply_changes(account, other_values)
    if other_changes:
        account.save(update_fields=[*other_changes, "updated_at"])
        if SIP_CREDENTIAL_FIELDS.intersection(other_changes):
            sip_credentials.sync_account(account, previous_account_id=account_id)
    changes.update(other_changes)
    if changes:
        audit.record_changes("account.update", changes, account=account, actor=actor)
    changes.update(feature_changes)
    return AccountResult(account, False, changes)


@transaction.atomic
def set_numbers(
    account: Account, numbers: Sequence[str], *, actor: audit.Actor = None
) -> dict[str, list[Any]]:
    """Make `numbers` (E.164 digits, validated) the account's telephone numbers; audited.

    Numbers the account has and `numbers` lacks are given up; a number of another account
    is refused by the database (PhoneNumber's unique constraint), so check first. Returns the
    change, {"numbers": [old, new]} (space-separated), or {} when nothing changes.
    """
    current = sorted(account.numbers.values_list("number", flat=True))
    wanted = sorted(set(numbers))
    if current == wanted:
        return {}
    account.numbers.exclude(number__in=wanted).delete()
    PhoneNumber.objects.bulk_create(
        [PhoneNumber(account=account, number=number) for number in wanted if number not in current]
    )
    changes = _numbers_change(current, wanted)
    audit.record_changes("account.numbers", changes, account=account, actor=actor)
    return changes


def _numbers_change(current: Sequence[str], wanted: Sequence[str]) -> dict[str, list[Any]]:
    # As the accounts CSV writes them: "+48223809888 +48223809889".
    return {"numbers": [" ".join(f"+{n}" for n in current), " ".join(f"+{n}" for n in wanted)]}


def send_password_email(
    user: User,
    *,
    welcome: bool = False,
    actor: audit.Actor = None,
    request: HttpRequest | None = None,
) -> bool:
    """E-mail the user a link to set a new password (Django's reset token), in their language.

    `welcome` sends the welcome text for a new account instead of the reset text. The link's
    address comes from the request, or from PORTAL_URL when a command sends it. Returns False
    (and sends nothing) when the user has no e-mail address.
    """
    if not user.email:
        return False
    if request is not None:
        protocol = "https" if request.is_secure() else "http"
        domain = request.get_host()
    else:
        if not settings.PORTAL_URL:
            raise ImproperlyConfigured(
                "PORTAL_URL must be set to send e-mails with links from a command."
            )
        portal = urlsplit(settings.PORTAL_URL)
        protocol, domain = portal.scheme, portal.netloc
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
    }
    account = Account.objects.filter(user=user).first()
    # In the customer's language and time zone, whoever asked.
    mail.send("welcome" if welcome else "password_reset", context, to=[user.email], account=account)
    audit.record(
        "account.welcome_sent" if welcome else "account.password_reset_sent",
        account=account,
        actor=actor,
        request=request,
        email=user.email,
    )
    return True
