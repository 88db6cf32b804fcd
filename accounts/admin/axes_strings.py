"""Polish for django-axes' admin screens (sign-in attempts and failures), which its own
catalogue leaves in English. Listed here so that makemessages carries them into Konto's
catalogue, which Django consults before axes' own."""

from django.utils.translation import gettext_noop

AXES_STRINGS = (
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Locked Out"),
    gettext_noop("Not set"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
)
