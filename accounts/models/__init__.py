"""The shared relational model: who logs in, the telephony account, its money and its calls.

Feature apps (profile, centrex, conferences) build on these models; this package imports none
of them. One module per subject; everything is imported from here (`from accounts.models import
Account`), and migrations name `accounts.models.time_zone_choices` and `UserManager`.
"""

from accounts.models.accounts import Account, AccountQuerySet, PhoneNumber, time_zone_choices
from accounts.models.calls import (
    EARLIEST_CALL_TIME,
    LATEST_CALL_TIME,
    CallRecord,
    CallRecordQuerySet,
)
from accounts.models.hunt_groups import HuntGroup, HuntGroupMembership
from accounts.models.ledger import BalanceEntry
from accounts.models.money import MONEY
from accounts.models.records import AuditEvent, SentMail
from accounts.models.sessions import SignedInSession
from accounts.models.users import User, UserManager, login_key

# Models of feature packages, registered with the app here.
from accounts.sip.models import (
    SipAccTransaction,
    SipCdr,
    SipLocation,
    SipLocationAttribute,
    SipMissedCall,
    SipSubscriber,
    SipTableVersion,
)
from accounts.switch_api.models import SwitchToken

__all__ = [
    "EARLIEST_CALL_TIME",
    "LATEST_CALL_TIME",
    "MONEY",
    "Account",
    "AccountQuerySet",
    "AuditEvent",
    "BalanceEntry",
    "CallRecord",
    "CallRecordQuerySet",
    "HuntGroup",
    "HuntGroupMembership",
    "PhoneNumber",
    "SentMail",
    "SignedInSession",
    "SipAccTransaction",
    "SipCdr",
    "SipLocation",
    "SipLocationAttribute",
    "SipMissedCall",
    "SipSubscriber",
    "SipTableVersion",
    "SwitchToken",
    "User",
    "UserManager",
    "login_key",
    "time_zone_choices",
]
