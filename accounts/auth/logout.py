from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext


class LogoutView(auth_views.LogoutView):
    """Django's sign-out (POST only), which then says so on the sign-in page it leads to."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            # After the session was flushed: the message goes with the fresh one.
            messages.success(request, gettext("You have signed out."))
        return response
