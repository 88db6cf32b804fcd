"""The demo account that `make run` loads, so a newcomer has something to look at."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.ledger.services import change_balance
from accounts.models import (
    Account,
    BalanceEntry,
    CallRecord,
    HuntGroup,
    HuntGroupMembership,
    PhoneNumber,
    User,
)
from accounts.sip import credentials as sip_credentials

DEMO_LOGIN = "telekonferencja_48223809888"
DEMO_PASSWORD = "Demo-Konto-2026"  # demo only: the command refuses to run with DEBUG off
DEMO_SOURCE = "demo"
DEMO_CALLS = 36
ACTOR = "manage.py load_demo"


@transaction.atomic
def load_demo() -> tuple[Account, bool]:
    """Create the demo account and its data; running it again changes nothing.

    Returns the account and whether anything was created.
    """
    created_any = False
    user, created = User.objects.get_or_create(
        username=DEMO_LOGIN, defaults={"email": "demo@example.com"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        created_any = True
    account, created = Account.objects.get_or_create(
        user=user,
        defaults={
            "account_id": DEMO_LOGIN,
            "company_name": "Przykładowa Firma Sp. z o.o.",
            "salutation": "Pan",
            "first_name": "Jan",
            "last_name": "Kowalski",
            "contact_person": "Jan Kowalski",
            "county": "Warszawa",
            "province": "mazowieckie",
            "postal_code": "00-950",
            "city": "Warszawa",
            "country": "PL",
            "phone": "+48223809888",
            "sip_password": "qjbnwds9",
            "credit_limit": Decimal("50.00"),
            "conferences_enabled": True,
            "mailbox": "1001",
        },
    )
    created_any |= created
    sip_credentials.sync_account(account)
    # The number its calls are made from and answered on (the import tells directions by it).
    _number, created = PhoneNumber.objects.get_or_create(
        number="48223809888", defaults={"account": account}
    )
    created_any |= created

    group, created = HuntGroup.objects.get_or_create(
        number="+48223809800", defaults={"name": "Biuro obsługi klienta"}
    )
    created_any |= created
    _membership, created = HuntGroupMembership.objects.get_or_create(group=group, account=account)
    created_any |= created

    calls = _demo_calls(account)
    if not BalanceEntry.objects.filter(account=account, kind=BalanceEntry.Kind.TOP_UP).exists():
        # The welcome top-up came the day before the first call.
        change_balance(
            account,
            Decimal("100.00"),
            BalanceEntry.Kind.TOP_UP,
            "Doładowanie powitalne",
            actor=ACTOR,
            at=calls[0]["started_at"] - timedelta(days=1),
        )
        created_any = True

    created_any |= _load_demo_calls(account, calls)
    return account, created_any


def demo_password_works() -> bool:
    """Whether the demo account still has the published password (someone may have changed
    it on "Zmień hasło", which is what a newcomer tries first)."""
    user = User.objects.filter(username=DEMO_LOGIN).first()
    return user is not None and user.check_password(DEMO_PASSWORD)


@transaction.atomic
def remove_demo() -> bool:
    """Delete the demo account with everything of its own; whether there was one."""
    user = User.objects.filter(username=DEMO_LOGIN).first()
    if user is None:
        return False
    CallRecord.objects.filter(source=DEMO_SOURCE).delete()
    # The account, its numbers, ledger and the rest go with the user (and its SIP credentials
    # with the account: accounts.sip.credentials.forget_deleted_account).
    user.delete()
    return True


def _demo_calls(account: Account) -> list[dict]:
    """The demo's calls, oldest first: the same on every machine, ending about now."""
    rng = random.Random(48223809888)
    now = timezone.now().replace(second=0, microsecond=0)
    # The caller's name, as Asterisk's clid gives it, becomes an inbound call's description.
    names = {
        "+48221234567": "Biuro Rachunkowe Nowak",
        "+48501234567": "Anna Wiśniewska",
        "+48601765432": "",
        "+48126543210": "Hotel Wawel",
        "+442071234567": "London Office",
    }
    numbers = list(names)
    dispositions = [CallRecord.Disposition.ANSWERED] * 6 + [
        CallRecord.Disposition.NO_ANSWER,
        CallRecord.Disposition.BUSY,
        CallRecord.Disposition.FAILED,
    ]
    calls = []
    for index in range(DEMO_CALLS):
        inbound = rng.random() < 0.4
        disposition = rng.choice(dispositions)
        answered = disposition == CallRecord.Disposition.ANSWERED
        seconds = rng.randint(20, 1800) if answered else 0
        started = now - timedelta(hours=index * 17 + rng.randint(0, 8), minutes=rng.randint(0, 59))
        charge = Decimal(0) if inbound or not answered else Decimal(seconds) * Decimal("0.0020")
        other = rng.choice(numbers)
        calls.append(
            {
                "source_id": f"demo-{index:03d}",
                "account": account,
                "started_at": started,
                "answered_at": started + timedelta(seconds=rng.randint(3, 20))
                if answered
                else None,
                "duration": seconds + rng.randint(3, 20),
                "billed_seconds": seconds,
                "caller": other if inbound else account.phone,
                "callee": account.phone if inbound else other,
                "direction": CallRecord.Direction.INBOUND
                if inbound
                else CallRecord.Direction.OUTBOUND,
                "description": names[other] if inbound else "",
                "disposition": disposition,
                "charge": charge.quantize(Decimal("0.01")),
            }
        )
    return sorted(calls, key=lambda call: call["started_at"])


def _load_demo_calls(account: Account, calls: list[dict]) -> bool:
    """Create the calls that are missing, oldest first, each charged when it ended."""
    created_any = False
    for values in calls:
        values = dict(values)
        call, created = CallRecord.objects.get_or_create(
            source=DEMO_SOURCE, source_id=values.pop("source_id"), defaults=values
        )
        if created:
            created_any = True
            if call.charge:
                change_balance(
                    account,
                    -call.charge,
                    BalanceEntry.Kind.CALL_CHARGE,
                    f"{call.callee}",
                    actor=ACTOR,
                    call=call,
                    at=call.started_at + timedelta(seconds=call.duration),
                )
    return created_any
