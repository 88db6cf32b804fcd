from django.urls import path

from accounts.views import auth, calls, dashboard, ledger

app_name = "accounts"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("calls/", calls.calls, name="calls"),
    path("calls/export.csv", calls.calls_export, name="calls_export"),
    path("balance/", ledger.balance_history, name="balance_history"),
    path("help/", dashboard.help_page, name="help"),
    path("language/", auth.set_language, name="set_language"),
]
