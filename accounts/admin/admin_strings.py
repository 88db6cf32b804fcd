"""Konto's own wording for the admin's save and delete confirmations, instead of Django's
generic Polish ("został(a)(-ło) pomyślnie zmieniony(-na)(-ne)"). Listed here so that
makemessages carries Django's message ids into Konto's catalogue, which Django consults
before its own."""

from django.utils.translation import gettext_noop, ngettext_lazy

ADMIN_STRINGS = (
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    ngettext_lazy(
        "%(count)s %(name)s was changed successfully.",
        "%(count)s %(name)s were changed successfully.",
    ),
)
