"""What each kind of audit event means, in words the help desk reads (the audit trail's admin
and the account page show these, never the codes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DESCRIPTIONS: dict[str, StrOrPromise] = {
    "account.create": _("Account created"),
    "account.update": _("Account data changed"),
    "account.status": _("Account blocked or unblocked"),
    "account.features": _("Features or limits changed"),
    "account.numbers": _("Telephone numbers changed"),
    "account.welcome_sent": _("Welcome e-mail sent"),
    "account.password_reset_sent": _("Password reset e-mail sent"),
    "balance.change": _("Balance changed"),
    "balance.low_alert": _("Low-balance alert sent"),
    "calls.import": _("Call records imported"),
    "calls.switch_sync": _("Calls synchronised from the SIP proxy"),
    "conference.created": _("Conference created"),
    "conference.updated": _("Conference changed"),
    "conference.deleted": _("Conference deleted"),
    "conference.ended": _("Conference ended"),
    "conference.codes_regenerated": _("Conference access codes regenerated"),
    "login.lockout_lifted": _("Sign-in lockout lifted"),
    "login.password_reset": _("New password set with a reset link"),
    "profile.change": _("Profile or settings changed by the customer"),
    "profile.password": _("Password changed by the customer"),
    "profile.password_locked": _("Password changes blocked after wrong old passwords"),
    "profile.sip_password": _("New SIP password generated"),
    "screening.switched_on": _("Call screening switched on"),
    "screening.switched_off": _("Call screening switched off"),
    "screening.rule_created": _("Call screening rule added"),
    "screening.rule_changed": _("Call screening rule changed"),
    "screening.rule_deleted": _("Call screening rule deleted"),
    "screening.rule_moved": _("Call screening rule moved"),
    "screening.rule_enabled": _("Call screening rule enabled"),
    "screening.rule_disabled": _("Call screening rule disabled"),
    "screening.number_blocked": _("Number blocked from the call history"),
    "screening.settings_reset": _("Call screening settings reset"),
    "security.two_step_on": _("Two-step verification turned on"),
    "security.two_step_off": _("Two-step verification turned off"),
    "security.two_step_reset": _("Two-step verification reset by the help desk"),
    "security.recovery_codes_new": _("New recovery codes made"),
    "security.recovery_code_used": _("Signed in with a recovery code"),
    "security.session_end": _("A signed-in session ended by the customer"),
    "security.sessions_end_others": _("All other sessions signed out by the customer"),
    "switch_token.created": _("Switch API token created"),
    "switch_token.revoked": _("Switch API token revoked"),
    "user.password_set": _("Password set by staff"),
    "voicemail.imported": _("Voicemail message imported"),
    "voicemail.emailed": _("Voicemail message e-mailed"),
    "voicemail.heard": _("Voicemail message marked as heard"),
    "voicemail.unheard": _("Voicemail message marked as new"),
    "voicemail.moved": _("Voicemail message moved"),
    "voicemail.deleted": _("Voicemail message deleted"),
    "voicemail.reimport_allowed": _("Voicemail message may be imported again"),
    "voicemail.settings_changed": _("Voicemail settings changed"),
    "voicemail.pin_changed": _("Voicemail PIN changed"),
    "voicemail.pin_cleared": _("Voicemail PIN cleared"),
    "voicemail.pin_locked": _("Voicemail PIN locked after wrong tries"),
    "voicemail.greeting_imported": _("Voicemail greeting imported"),
    "voicemail.greeting_replaced": _("Voicemail greeting recorded again"),
    "voicemail.greeting_removed": _("Voicemail greeting removed from the switch"),
    "voicemail.greeting_deleted": _("Voicemail greeting deleted"),
}

# The admin's own events: "<model>.create|update|delete" of any model it edits.
_ADMIN_ACTIONS: dict[str, StrOrPromise] = {
    "create": _("%(model)s added in the admin"),
    "update": _("%(model)s changed in the admin"),
    "delete": _("%(model)s deleted in the admin"),
}


def describe(kind: str) -> str:
    """The event kind in words; the kind itself if it is not one Konto writes."""
    if kind in DESCRIPTIONS:
        return str(DESCRIPTIONS[kind])
    model_name, _dot, action = kind.rpartition(".")
    if action in _ADMIN_ACTIONS:
        for model in apps.get_models():
            if model._meta.model_name == model_name:
                name = str(model._meta.verbose_name)
                return gettext(str(_ADMIN_ACTIONS[action])) % {"model": name[:1].upper() + name[1:]}
    return kind
