from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeGuard, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render

from accounts.features import FEATURES
from accounts.http import CustomerRequest, PortalRequest

# The decorated view keeps its own arguments after the request, and its own response type.
P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def is_customer_request(request: PortalRequest) -> TypeGuard[CustomerRequest]:
    """True if the request comes from a signed-in customer.

    AccountMiddleware sets `request.account` only for an authenticated user who has an
    Account, so an account also means that `request.user` is that customer's User.
    """
    return request.account is not None


def customer_required(
    view: Callable[Concatenate[CustomerRequest, P], R],
) -> Callable[Concatenate[PortalRequest, P], R | HttpResponseRedirect]:
    """The view is for a signed-in customer with an Account (available as `request.account`).

    Anonymous visitors go to the login page; operator staff, who have no Account, go to the admin.
    """

    @login_required
    @wraps(view)
    def wrapper(
        request: PortalRequest, /, *args: P.args, **kwargs: P.kwargs
    ) -> R | HttpResponseRedirect:
        if not is_customer_request(request):
            if request.user.is_staff:
                return redirect("admin:index")
            raise PermissionDenied  # a login with neither an account nor staff rights
        return view(request, *args, **kwargs)

    return wrapper


def feature_required(
    feature: str, *, disabled_template: str, landing: bool = False
) -> Callable[
    [Callable[Concatenate[CustomerRequest, P], R]],
    Callable[Concatenate[PortalRequest, P], R | HttpResponse],
]:
    """The view is for a customer whose operator switched `feature` (a name of FEATURES) on.

    Otherwise the page shows `disabled_template` (the seed's "… wyłączona. W celu włączenia
    skontaktuj się …") and the view does nothing: with 200 on the feature's `landing` page,
    where the customer looks for it, and 403 everywhere else, so a bookmarked or forged
    request changes nothing.
    """
    flag = FEATURES[feature]

    def decorator(
        view: Callable[Concatenate[CustomerRequest, P], R],
    ) -> Callable[Concatenate[PortalRequest, P], R | HttpResponse]:
        @customer_required
        @wraps(view)
        def wrapper(
            request: CustomerRequest, /, *args: P.args, **kwargs: P.kwargs
        ) -> R | HttpResponse:
            if not getattr(request.account, flag):
                return render(request, disabled_template, status=200 if landing else 403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
