"""Django finds an app's models through `<app>.models`; each IP Centrex slice keeps its own
in its package (`centrex.screening.models`, `centrex.voicemail.models`)."""

from centrex.screening.models import ScreeningRule, ScreeningSettings
from centrex.voicemail.models import (
    DeletedVoicemail,
    MailboxSettings,
    VoicemailGreeting,
    VoicemailMessage,
)

__all__ = [
    "DeletedVoicemail",
    "MailboxSettings",
    "ScreeningRule",
    "ScreeningSettings",
    "VoicemailGreeting",
    "VoicemailMessage",
]
