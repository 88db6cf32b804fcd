from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfileConfig(AppConfig):
    # Named as the design card asks; it shadows the standard library's `profile` module
    # (so `python -m cProfile` won't work here: use pyinstrument or py-spy, see the README).
    name = "profile"
    verbose_name = _("My profile")
