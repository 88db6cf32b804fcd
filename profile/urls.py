from django.urls import path

from profile import views

app_name = "profile"

urlpatterns = [
    path("", views.general, name="general"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/sip-password/", views.sip_password, name="sip_password"),
    path("password/", views.password, name="password"),
]
