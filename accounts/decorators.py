from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.features import FEATURES

View = Callable[..., HttpResponse]


def customer_required(view: View) -> View:
    """The view is for a signed-in customer with an Account (available as `request.account`).

    Anonymous visitors go to the login page; operator staff, who have no Account, go to the admin.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.account is None:
            if request.user.is_staff:
                return redirect("admin:index")
            raise PermissionDenied  # a login with neither an account nor staff rights
        return view(request, *args, **kwargs)

    return wrapper


def feature_required(
    feature: str, *, disabled_template: str, landing: bool = False
) -> Callable[[View], View]:
    """The view is for a customer whose operator switched `feature` (a name of FEATURES) on.

    Otherwise the page shows `disabled_template` (the seed's "… wyłączona. W celu włączenia
    skontaktuj się …") and the view does nothing: with 200 on the feature's `landing` page,
    where the customer looks for it, and 403 everywhere else, so a bookmarked or forged
    request changes nothing.
    """
    flag = FEATURES[feature]

    def decorator(view: View) -> View:
        @customer_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not getattr(request.account, flag):
                return render(request, disabled_template, status=200 if landing else 403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
