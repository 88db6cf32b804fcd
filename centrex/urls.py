from django.urls import path

from centrex import views
from centrex.screening import views as screening
from centrex.voicemail import views as voicemail

app_name = "centrex"

urlpatterns = [
    path("", views.index, name="index"),
    # Selektywne kierowanie połączeń (call screening). URL names start with "screening", so
    # the sub-tab is highlighted.
    path("screening/", screening.screening_list, name="screening"),
    path("screening/switch/", screening.screening_switch, name="screening_switch"),
    path("screening/new/", screening.screening_new, name="screening_new"),
    path("screening/test/", screening.screening_test, name="screening_test"),
    path("screening/block/", screening.screening_block, name="screening_block"),
    path("screening/<int:pk>/edit/", screening.screening_edit, name="screening_edit"),
    path("screening/<int:pk>/delete/", screening.screening_delete, name="screening_delete"),
    path("screening/<int:pk>/toggle/", screening.screening_toggle, name="screening_toggle"),
    path("screening/<int:pk>/move/", screening.screening_move, name="screening_move"),
    # Poczta głosowa
    path("voicemail/", voicemail.voicemail_index, name="voicemail"),
    path("voicemail/settings/", voicemail.voicemail_settings, name="voicemail_settings"),
    path("voicemail/pin/", voicemail.voicemail_pin, name="voicemail_pin"),
    path("voicemail/<int:pk>/audio/", voicemail.voicemail_audio, name="voicemail_audio"),
    path("voicemail/<int:pk>/download/", voicemail.voicemail_download, name="voicemail_download"),
    path(
        "voicemail/greetings/<int:pk>/audio/",
        voicemail.voicemail_greeting_audio,
        name="voicemail_greeting_audio",
    ),
    path(
        "voicemail/greetings/<int:pk>/download/",
        voicemail.voicemail_greeting_download,
        name="voicemail_greeting_download",
    ),
    path("voicemail/<int:pk>/heard/", voicemail.voicemail_heard, name="voicemail_heard"),
    path("voicemail/<int:pk>/unheard/", voicemail.voicemail_unheard, name="voicemail_unheard"),
    path(
        "voicemail/<int:pk>/move-to-old/",
        voicemail.voicemail_move_to_old,
        name="voicemail_move_to_old",
    ),
    path("voicemail/<int:pk>/delete/", voicemail.voicemail_delete, name="voicemail_delete"),
]
