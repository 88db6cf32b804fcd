from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts.help_desk import sync_help_desk_group

        # After every app's permissions exist: Django creates them in post_migrate too, for
        # each app, so this runs once the last app has migrated.
        post_migrate.connect(sync_help_desk_group, dispatch_uid="accounts.help_desk")
