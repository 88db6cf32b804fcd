"""IP Centrex in the operator's admin: each slice registers its own screens."""

from centrex.screening import admin as screening_admin
from centrex.voicemail import admin as voicemail_admin

__all__ = ["screening_admin", "voicemail_admin"]
