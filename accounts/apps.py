from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts.help_desk import sync_help_desk_group
        from accounts.models import Account
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
        user_logged_in.connect(notice_new_browser, dispatch_uid="accounts.security.notices")
