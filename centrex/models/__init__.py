"""IP Centrex models, one module per service; each module adds its import line here."""

from centrex.models.screening import ScreeningRule, ScreeningSettings  # noqa: F401
from centrex.models.voicemail import DeletedVoicemail, MailboxSettings, VoicemailMessage  # noqa: F401
