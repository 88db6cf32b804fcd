"""The operator staff's (help desk's) screens: accounts, their money, calls and audit trail.

Every change staff make here is written to the audit trail with the staff user's name, and
goes through the service that owns it; the lists stay fast at a million calls. One module per
area; importing them registers their screens.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import accounts, history, hunt_groups, users
from accounts.switch_api import admin as switch_tokens

# Konto's own name on every admin page, instead of "Django administration".
admin.site.site_header = _("Konto — help desk")
admin.site.site_title = _("Konto help desk")
admin.site.index_title = _("Accounts and services")
# The lists need the width (an account's balance and features, an event's description); the
# breadcrumbs and the index lead everywhere the sidebar did.
admin.site.enable_nav_sidebar = False

__all__ = ["accounts", "history", "hunt_groups", "switch_tokens", "users"]
