"""The operator staff's (help desk's) screens: accounts, their money, calls and audit trail.

Every change staff make here is written to the audit trail with the staff user's name, and
goes through the service that owns it; the lists stay fast at a million calls. One module per
area; importing them registers their screens.
"""

from accounts.admin import accounts, history, hunt_groups, users
from accounts.switch_api import admin as switch_tokens

__all__ = ["accounts", "history", "hunt_groups", "switch_tokens", "users"]
