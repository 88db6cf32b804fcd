from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts.calls.cache import call_saved
        from accounts.help_desk import sync_help_desk_group
        from accounts.models import Account, CallRecord
        from accounts.security.notices import notice_new_browser
        from accounts.sip.credentials import forget_deleted_account

        # After every app's permissions exist: Django creates them in post_migrate too, for
        # each app, so this runs once the last app has migrated.
        post_migrate.connect(sync_help_desk_group, dispatch_uid="accounts.help_desk")
        # However an account is deleted (the admin, a deleted user's cascade), its SIP
        # credentials go in the same transaction.
        post_delete.connect(
            forget_deleted_account, sender=Account, dispatch_uid="accounts.sip.credentials"
        )
        # A call saved one by one (the demo, a test's factory) changes the account's calls as
        # an import does; the importer's bulk writes raise the version themselves. Not on
        # delete: a receiver would make Django load and signal each of a deleted account's
        # million calls, and nothing deletes single calls (the admin shows them read-only).
        post_save.connect(call_saved, sender=CallRecord, dispatch_uid="accounts.calls.cache")
        user_logged_in.connect(notice_new_browser, dispatch_uid="accounts.security.notices")
