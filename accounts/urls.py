from django.urls import path

from accounts import views
from accounts.calls import views as calls
from accounts.ledger import views as ledger

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("calls/", calls.calls, name="calls"),
    path("calls/export.csv", calls.calls_export, name="calls_export"),
    path("calls/export.xlsx", calls.calls_export_xlsx, name="calls_export_xlsx"),
    path("balance/", ledger.balance_history, name="balance_history"),
    path("help/", views.help_page, name="help"),
    path("language/", views.set_language, name="set_language"),
]
