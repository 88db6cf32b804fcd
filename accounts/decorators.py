from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


def customer_required(view):
    """The view is for a signed-in customer with an Account (available as `request.account`).

    Anonymous visitors go to the login page; operator staff, who have no Account, go to the admin.
    """

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.account is None:
            if request.user.is_staff:
                return redirect("admin:index")
            raise PermissionDenied  # a login with neither an account nor staff rights
        return view(request, *args, **kwargs)

    return wrapper
