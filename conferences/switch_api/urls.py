# Unnamed, as the other switch API URLs (see centrex/switch_api/urls.py).
from django.urls import path

from conferences.switch_api import conference_codes

urlpatterns = [
    path("conference-codes/<str:code>", conference_codes.conference_code),
]
