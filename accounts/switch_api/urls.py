"""/switch/v1/openapi.json, and a JSON 404 for every address under /switch/v1/ that no app
serves. konto/urls.py includes this after the apps' own switch URLs.

Unnamed, as the other switch API URLs (see centrex/switch_api/urls.py).
"""

from django.urls import path, re_path

from accounts.switch_api import views

urlpatterns = [
    path("openapi.json", views.openapi),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
