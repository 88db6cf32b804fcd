from django.urls import path

from accounts.views import auth, dashboard

app_name = "accounts"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("help/", dashboard.help_page, name="help"),
    path("language/", auth.set_language, name="set_language"),
]
