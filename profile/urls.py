from django.urls import path

from profile import views
from profile.security import views as security

app_name = "profile"

urlpatterns = [
    path("", views.general, name="general"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/sip-password/", views.sip_password, name="sip_password"),
    path("password/", views.password, name="password"),
    path("security/", security.security, name="security"),
    path("security/two-step/on/", security.two_step_enable, name="two_step_enable"),
    path("security/two-step/off/", security.two_step_disable, name="two_step_disable"),
    path("security/two-step/recovery-codes/", security.recovery_codes, name="recovery_codes"),
    path("security/sessions/end/", security.end_session, name="end_session"),
    path("security/sessions/end-others/", security.end_other_sessions, name="end_other_sessions"),
]
