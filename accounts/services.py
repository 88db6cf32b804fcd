"""Business rules over the shared model that views, the admin and commands all call."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Case, DecimalField, F, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from accounts import audit, bulk
from accounts.models import MONEY, Account, BalanceEntry, CallRecord, User

logger = logging.getLogger(__name__)


@transaction.atomic
def change_balance(
    account: Account,
    amount: Decimal,
    kind: str,
    description: str = "",
    *,
    actor: audit.Actor = None,
    call: CallRecord | None = None,
    request=None,
) -> BalanceEntry:
    """Add `amount` (negative for a charge) to the account's balance and write its ledger entry.

    The only function that changes money. The UPDATE … SET balance = balance + amount takes the
    row's write lock (PostgreSQL row lock; SQLite database lock) until the transaction ends, so
    concurrent changes queue up and each entry's `balance_after` is exact. The balance and the
    entry are written together or not at all.
    """
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if kind not in BalanceEntry.Kind.values:
        raise ValueError(f"Unknown balance entry kind: {kind!r}")
    Account.objects.filter(pk=account.pk).update(balance=F("balance") + amount)
    # Read back under the lock the UPDATE took: these are the values after this change.
    balance_after, credit_limit, threshold, alert_sent = Account.objects.values_list(
        "balance", "credit_limit", "low_balance_threshold", "low_balance_alert_sent"
    ).get(pk=account.pk)
    user, _kind, label = audit.describe_actor(actor)
    entry = BalanceEntry.objects.create(
        account=account,
        amount=amount,
        balance_after=balance_after,
        kind=kind,
        description=description[:255],
        call=call,
        created_by=user,
        created_by_label=label,
    )
    account.balance = balance_after
    _track_low_balance(
        account, amount, balance_after + credit_limit, threshold, alert_sent, actor=actor
    )
    if kind != BalanceEntry.Kind.CALL_CHARGE:
        # Call charges are many and already recorded in the ledger with their call.
        audit.record(
            "balance.change",
            account=account,
            actor=actor,
            request=request,
            message=description,
            amount=str(amount),
            entry_kind=kind,
            balance_after=str(balance_after),
        )
    return entry


def _track_low_balance(
    account: Account,
    amount: Decimal,
    funds: Decimal,
    threshold: Decimal | None,
    alert_sent: bool,
    *,
    actor: audit.Actor,
) -> None:
    """The low-balance alert: one e-mail when a charge takes the available funds below the
    customer's threshold, none again until the funds are back above it.

    Called inside change_balance's transaction. The flag is claimed with a conditional UPDATE,
    so of several charges crossing the threshold at once exactly one sends the e-mail; the
    e-mail goes only once the transaction has committed (a rolled-back charge alerts nobody).
    """
    if amount < 0 and not alert_sent and threshold is not None and funds < threshold:
        claimed = Account.objects.filter(
            pk=account.pk,
            low_balance_alert_sent=False,
            low_balance_threshold__gt=F("balance") + F("credit_limit"),
        ).update(low_balance_alert_sent=True)
        if claimed:
            account.low_balance_alert_sent = True
            audit.record(
                "balance.low_alert",
                account=account,
                actor=actor,
                funds=str(funds),
                threshold=str(threshold),
            )
            transaction.on_commit(
                partial(send_low_balance_alert, account.pk, funds=funds, threshold=threshold),
                robust=True,
            )
    elif alert_sent and (threshold is None or funds > threshold):
        Account.objects.filter(pk=account.pk, low_balance_alert_sent=True).filter(
            Q(low_balance_threshold__isnull=True)
            | Q(low_balance_threshold__lt=F("balance") + F("credit_limit"))
        ).update(low_balance_alert_sent=False)
        account.low_balance_alert_sent = False


def send_low_balance_alert(account_pk: int, *, funds: Decimal, threshold: Decimal) -> None:
    """E-mail the customer, in their language, that their available funds fell below their
    threshold. If sending fails, the alert is released so that the next charge tries again.
    """
    account = Account.objects.select_related("user").get(pk=account_pk)
    if not account.user.email:
        logger.info("Low-balance alert for %s not sent: no e-mail address", account.account_id)
        return
    context = {
        "account": account,
        "funds": funds,
        "threshold": threshold,
        "balance_history_url": settings.PORTAL_URL.rstrip("/") + reverse("accounts:balance_history")
        if settings.PORTAL_URL
        else "",
    }
    with translation.override(account.language):
        subject = " ".join(render_to_string("emails/low_balance_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject,
            render_to_string("emails/low_balance.txt", context),
            to=[account.user.email],
        )
        message.attach_alternative(
            render_to_string("emails/low_balance.html", context), "text/html"
        )
    try:
        message.send()
    except Exception:
        logger.exception("Low-balance alert for %s could not be sent", account.account_id)
        Account.objects.filter(pk=account_pk).update(low_balance_alert_sent=False)


def set_status(account: Account, status: str, *, actor: audit.Actor = None, request=None) -> None:
    """Block or unblock an account. A blocked account is signed out on its next request."""
    if status not in Account.Status.values:
        raise ValueError(f"Unknown account status: {status!r}")
    if account.status == status:
        return
    old = account.status
    account.status = status
    account.save(update_fields=["status", "updated_at"])
    audit.record(
        "account.status", account=account, actor=actor, request=request, old=old, new=status
    )


# --- Operator staff (admin) and operators' commands -------------------------------------------

# The feature switches staff set, by the names commands and CSV files use.
FEATURES = {
    "call_screening": "call_screening_enabled",
    "voicemail": "voicemail_enabled",
    "conferences": "conferences_enabled",
}
# What staff may book by hand: call charges come only with their calls.
MANUAL_BALANCE_KINDS = (
    BalanceEntry.Kind.TOP_UP,
    BalanceEntry.Kind.ADJUSTMENT,
    BalanceEntry.Kind.REFUND,
)
# Amounts are numeric(12, 2); anything this large is a typing mistake, not a payment.
MAX_MANUAL_AMOUNT = Decimal("1000000000")
SMALLINT_MAX = 32767
CENT = Decimal("0.01")


def audit_value(value) -> str:
    """How a field's value is written into an audit event's details."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _apply_changes(obj, values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Set the fields whose value differs; return {field: [old, new]} of those."""
    changes = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = [audit_value(old), audit_value(new)]
            setattr(obj, name, new)
    return changes


def check_adjustment(amount: Decimal, kind: str, reason: str) -> None:
    """Refuse a hand-made balance change that cannot be right (ValidationError per field)."""
    errors: dict[str, ValidationError] = {}
    if kind not in MANUAL_BALANCE_KINDS:
        errors["kind"] = ValidationError(
            _("Choose top-up, adjustment or refund."), code="invalid_kind"
        )
    if amount == 0:
        errors["amount"] = ValidationError(_("Enter an amount other than zero."), code="zero")
    elif amount != amount.quantize(CENT):
        errors["amount"] = ValidationError(
            _("Enter an amount with at most two decimal places."), code="decimal_places"
        )
    elif abs(amount) >= MAX_MANUAL_AMOUNT:
        errors["amount"] = ValidationError(
            _("Enter an amount below one billion."), code="too_large"
        )
    elif amount < 0 and kind in (BalanceEntry.Kind.TOP_UP, BalanceEntry.Kind.REFUND):
        errors["amount"] = ValidationError(
            _(
                "A top-up or a refund adds money: enter a positive amount. To take money off, "
                "choose an adjustment."
            ),
            code="negative",
        )
    if not reason.strip():
        errors["reason"] = ValidationError(
            _("Give the reason for the change: it is kept in the ledger and the audit trail."),
            code="required",
        )
    if errors:
        raise ValidationError(errors)


def adjust_balance(
    account: Account,
    amount: Decimal,
    kind: str,
    reason: str,
    *,
    actor: audit.Actor,
    request=None,
) -> BalanceEntry:
    """A top-up, adjustment or refund made by staff or an operator, with its reason."""
    check_adjustment(amount, kind, reason)
    return change_balance(account, amount, kind, reason.strip(), actor=actor, request=request)


class LedgerLine(NamedTuple):
    account_id: int
    amount: Decimal
    kind: str
    description: str = ""
    call_id: int | None = None


@transaction.atomic
def change_balance_bulk(lines: Sequence[LedgerLine], *, actor: audit.Actor = None) -> list[int]:
    """change_balance for many entries at once (call charges of an import); returns their ids.

    The same ledger rules: each account's balance moves by the sum of its entries in one
    UPDATE (which takes the row lock, as in change_balance), every entry is written with the
    exact balance after it (entries of an account in the given order), and all of it commits
    together or not at all. The low-balance alert is checked once per account.
    """
    if not lines:
        return []
    lines = [line._replace(amount=Decimal(line.amount).quantize(CENT)) for line in lines]
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.kind not in BalanceEntry.Kind.values:
            raise ValueError(f"Unknown balance entry kind: {line.kind!r}")
        totals[line.account_id] += line.amount
    Account.objects.filter(pk__in=totals).update(
        balance=F("balance")
        + Case(
            *(When(pk=pk, then=Value(total)) for pk, total in totals.items()),
            output_field=DecimalField(**MONEY),
        )
    )
    accounts = Account.objects.only(
        "account_id",
        "balance",
        "credit_limit",
        "low_balance_threshold",
        "low_balance_alert_sent",
    ).in_bulk(list(totals))
    running = {pk: accounts[pk].balance - total for pk, total in totals.items()}
    user, _kind, label = audit.describe_actor(actor)
    now = timezone.now()
    rows = []
    for line in lines:
        running[line.account_id] += line.amount
        rows.append(
            (
                line.account_id,
                line.amount,
                running[line.account_id],
                line.kind,
                line.description[:255],
                line.call_id,
                user.pk if user else None,
                label,
                now,
            )
        )
    ids = bulk.insert_rows(
        BalanceEntry,
        [
            "account_id",
            "amount",
            "balance_after",
            "kind",
            "description",
            "call_id",
            "created_by_id",
            "created_by_label",
            "created_at",
        ],
        rows,
    )
    for line in lines:
        if line.kind != BalanceEntry.Kind.CALL_CHARGE:
            audit.record(
                "balance.change",
                account=accounts[line.account_id],
                actor=actor,
                message=line.description,
                amount=str(line.amount),
                entry_kind=line.kind,
            )
    for pk, account in accounts.items():
        _track_low_balance(
            account,
            totals[pk],
            account.balance + account.credit_limit,
            account.low_balance_threshold,
            account.low_balance_alert_sent,
            actor=actor,
        )
    return ids


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
    request=None,
    dry_run: bool = False,
) -> dict[str, list[str]]:
    """Switch features on or off and set the limits staff control; audited.

    `enable`/`disable` take names from FEATURES; `mailbox=""` takes the mailbox away. Returns
    {field: [old, new]} of what changed (empty: nothing did). Raises ValidationError, changing
    nothing, when any value is wrong. With `dry_run`, says what would change and saves nothing.
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
    values: dict[str, Any] = {}
    for name in enable:
        values[FEATURES.get(name, "")] = True
    for name in disable:
        values[FEATURES.get(name, "")] = False
    values.pop("", None)
    if max_participants is not None:
        if not 1 <= max_participants <= SMALLINT_MAX:
            errors.append(
                ValidationError(
                    _("The maximum number of participants must be between 1 and %(max)d."),
                    code="participants",
                    params={"max": SMALLINT_MAX},
                )
            )
        values["max_conference_participants"] = max_participants
    if max_conferences is not None:
        if not 0 <= max_conferences <= SMALLINT_MAX:
            errors.append(
                ValidationError(
                    _("The maximum number of conferences must be between 0 and %(max)d."),
                    code="conferences",
                    params={"max": SMALLINT_MAX},
                )
            )
        values["max_concurrent_conferences"] = max_conferences
    if mailbox is not None:
        mailbox = mailbox.strip() or None
        if mailbox is not None:
            errors.extend(mailbox_errors(mailbox, account))
        values["mailbox"] = mailbox
    if credit_limit is not None:
        errors.extend(credit_limit_errors(credit_limit))
        values["credit_limit"] = credit_limit
    if errors:
        raise ValidationError(errors)
    changes = _apply_changes(account, values)
    if changes and not dry_run:
        account.save(update_fields=[*changes, "updated_at"])
        audit.record("account.features", account=account, actor=actor, request=request, **changes)
    return changes


def mailbox_errors(mailbox: str, account: Account | None = None) -> list[ValidationError]:
    """What is wrong with a voicemail mailbox number for the account (digits, not taken)."""
    if not (mailbox.isascii() and mailbox.isdigit() and len(mailbox) <= 32):
        return [ValidationError(_("A mailbox number is 1 to 32 digits."), code="mailbox_format")]
    taken = Account.objects.filter(mailbox=mailbox)
    if account is not None and account.pk:
        taken = taken.exclude(pk=account.pk)
    owner = taken.values_list("account_id", flat=True).first()
    if owner:
        return [
            ValidationError(
                _("The mailbox %(mailbox)s already belongs to the account %(owner)s."),
                code="mailbox_taken",
                params={"mailbox": mailbox, "owner": owner},
            )
        ]
    return []


def credit_limit_errors(credit_limit: Decimal) -> list[ValidationError]:
    if credit_limit < 0 or credit_limit != credit_limit.quantize(CENT):
        return [
            ValidationError(
                _("The credit limit is an amount of zero or more, with at most two decimals."),
                code="credit_limit",
            )
        ]
    if credit_limit >= MAX_MANUAL_AMOUNT:
        return [ValidationError(_("Enter an amount below one billion."), code="too_large")]
    return []


@dataclass
class AccountResult:
    account: Account
    created: bool
    changes: dict[str, list[str]] = field(default_factory=dict)


# Fields of the customer's User (the rest of an account's values are the Account's own).
ACCOUNT_USER_FIELDS = ("email",)


def account_changes(account: Account, values: Mapping[str, Any]) -> dict[str, list[str]]:
    """What setting `values` would change on an existing account (nothing is saved)."""
    changes = {}
    for name, new in values.items():
        obj = account.user if name in ACCOUNT_USER_FIELDS else account
        old = getattr(obj, name)
        if old != new:
            changes[name] = [audit_value(old), audit_value(new)]
    return changes


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
    validated them. `password_hash` comes from make_password(): Argon2 takes a tenth of a
    second, so callers hash outside the transaction. The opening balance is booked through the
    ledger, and only when the account is created.
    """
    user_values = {k: v for k, v in values.items() if k in ACCOUNT_USER_FIELDS}
    account_values = {k: v for k, v in values.items() if k not in ACCOUNT_USER_FIELDS}
    account = Account.objects.select_related("user").filter(user__username=login).first()
    if account is None:
        user = User(username=login, **user_values)
        if password_hash:
            user.password = password_hash
        else:
            user.set_unusable_password()
        user.save()
        account_values.setdefault("account_id", login)
        account = Account.objects.create(user=user, **account_values)
        audit.record(
            "account.create",
            account=account,
            actor=actor,
            login=login,
            **{name: audit_value(value) for name, value in values.items()},
        )
        if opening_balance:
            with translation.override(account.language):
                description = str(_("Opening balance"))
            change_balance(
                account, opening_balance, BalanceEntry.Kind.ADJUSTMENT, description, actor=actor
            )
        return AccountResult(account, True)

    user = account.user
    changes = _apply_changes(user, user_values)
    if password_hash:
        user.password = password_hash
        changes["password"] = ["", "changed"]
    user_fields = [name for name in changes if name in (*ACCOUNT_USER_FIELDS, "password")]
    if user_fields:
        user.save(update_fields=user_fields)
    changed_fields = _apply_changes(account, account_values)
    if changed_fields:
        account.save(update_fields=[*changed_fields, "updated_at"])
    changes.update(changed_fields)
    if changes:
        audit.record(
            "account.update",
            account=account,
            actor=actor,
            **changes,
        )
    return AccountResult(account, False, changes)


def send_password_email(
    user: User, *, welcome: bool = False, actor: audit.Actor = None, request=None
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
    prefix = "emails/welcome" if welcome else "emails/password_reset"
    # Imported here: the forms module must stay free to import services.
    from accounts.forms import LoginOrEmailPasswordResetForm

    # The reset form's send_mail writes in the customer's language, whoever asked.
    LoginOrEmailPasswordResetForm().send_mail(
        f"{prefix}_subject.txt",
        f"{prefix}.txt",
        context,
        None,
        user.email,
        html_email_template_name=f"{prefix}.html",
    )
    account = Account.objects.filter(user=user).first()
    audit.record(
        "account.welcome_sent" if welcome else "account.password_reset_sent",
        account=account,
        actor=actor,
        request=request,
        email=user.email,
    )
    return True
