"""The low-balance alert: one e-mail when a charge takes the available funds below the
customer's threshold, none again until the funds are back above it.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.db.models import F, Q

from accounts import audit, mail
from accounts.models import Account

logger = logging.getLogger(__name__)


def track_low_balance(
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
    threshold. The e-mail is queued (see accounts/mail.py, which retries when the mail server
    fails); if even that fails, the alert is released so that the next charge tries again.
    """
    account = Account.objects.select_related("user").get(pk=account_pk)
    if not account.user.email:
        logger.info("Low-balance alert for %s not sent: no e-mail address", account.account_id)
        return
    context = {
        "account": account,
        "funds": funds,
        "threshold": threshold,
        "balance_history_url": mail.portal_link("accounts:balance_history"),
    }
    try:
        mail.send("low_balance", context, to=[account.user.email], account=account)
    except Exception:
        logger.exception("Low-balance alert for %s could not be queued", account.account_id)
        Account.objects.filter(pk=account_pk).update(low_balance_alert_sent=False)
