from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from accounts.auth.code_step import login_code
from accounts.auth.forms import LoginOrEmailPasswordResetForm, NewPasswordForm
from accounts.auth.logout import LogoutView
from accounts.auth.views import LoginView, PasswordResetConfirmView

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("login/code/", login_code, name="login_code"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=LoginOrEmailPasswordResetForm,
            subject_template_name="emails/password_reset_subject.txt",
            email_template_name="emails/password_reset.txt",
            html_email_template_name="emails/password_reset.html",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(
            form_class=NewPasswordForm, success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    # The switch API: each endpoint in the app that owns its data, the token check in
    # accounts.switch_api; its own part (openapi.json, JSON 404s for the rest) comes last.
    path("switch/v1/", include("centrex.switch_api.urls")),
    path("switch/v1/", include("conferences.switch_api.urls")),
    path("switch/v1/", include("accounts.switch_api.urls")),
    path("profile/", include("profile.urls")),
    # Conferences are a sub-tab of IP Centrex but an app of their own.
    path("centrex/conferences/", include("conferences.urls")),
    path("centrex/", include("centrex.urls")),
    path("", include("accounts.urls")),
]

# Konto's own failure pages, in the user's language, that need no database (konto/error_pages.py).
handler400 = "konto.error_pages.bad_request"
handler403 = "konto.error_pages.permission_denied"
handler404 = "konto.error_pages.page_not_found"
handler500 = "konto.error_pages.server_error"
