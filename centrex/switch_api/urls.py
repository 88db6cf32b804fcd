# Unnamed and without a namespace: nothing in the portal reverses them, and switches are
# configured with the literal paths (accounts/switch_api/openapi.json); so no test that walks
# the portal's named pages mistakes them for a customer's page.
from django.urls import path

from centrex.switch_api import route, voicemail_pin

urlpatterns = [
    path("route", route.route),
    path("voicemail/pin", voicemail_pin.voicemail_pin),
]
