from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import feature_required
from accounts.http import CustomerRequest
from conferences import ics, local_time, services
from conferences.forms import ConferenceForm, NewConferenceForm
from conferences.models import Conference, dial_in_links
from conferences.rules import ConferenceData

PER_PAGE = 20
SHOW_CHOICES = ("all", "past", "current", "future")


DISABLED = "conferences/disabled.html"
conferences_required = feature_required("conferences", disabled_template=DISABLED)


def _get_conference(request: CustomerRequest, pk: int) -> Conference:
    """The signed-in customer's conference, or 404 (another account's too)."""
    return get_object_or_404(
        Conference.objects.select_related("account__user").prefetch_related(
            "access_codes", "invitees"
        ),
        pk=pk,
        account=request.account,
    )


def _show_error(form, error: ValidationError) -> None:
    # The service names fields where a field is to blame; anything else goes to the top.
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_GET
@feature_required("conferences", disabled_template=DISABLED, landing=True)
def conference_list(request: CustomerRequest) -> HttpResponse:
    account = request.account
    show = request.GET.get("show", "current")
    if show not in SHOW_CHOICES:
        show = "current"
    conferences = account.conferences.shown(show)
    page = Paginator(conferences, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "conferences/list.html",
        {
            "page": page,
            "show": show,
            "filters": [
                ("all", _("All")),
                ("past", _("Past")),
                ("current", _("Current")),
                ("future", _("Future")),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@conferences_required
def conference_new(request: CustomerRequest) -> HttpResponse:
    account = request.account
    form = NewConferenceForm(
        request.POST or None,
        account=account,
        initial={
            "max_participants": account.max_conference_participants,
            "duration_minutes": 60,
            "music_on_hold": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            conference, created = services.create_conference(
                account,
                ConferenceData.from_form(form.cleaned_data),
                actor=request.user,
                request=request,
                creation_token=form.cleaned_data["creation_token"],
            )
        except ValidationError as error:
            _show_error(form, error)
            if getattr(error, "code", None) == "stale_form":
                form.cleaned_data["creation_token"] = uuid.uuid4()
        else:
            if created:
                messages.success(request, _("The conference has been saved."))
            else:
                messages.info(request, _("This conference was already saved."))
            return redirect("conferences:detail", pk=conference.pk)
    token = (form.cleaned_data.get("creation_token") if form.is_bound else None) or uuid.uuid4()
    return render(
        request,
        "conferences/form.html",
        {"form": form, "conference": None, "creation_token": token},
    )


@require_GET
@conferences_required
def conference_detail(request: CustomerRequest, pk: int) -> HttpResponse:
    conference = _get_conference(request, pk)
    guest_code = conference.guest_code
    host_code = conference.host_code
    return render(
        request,
        "conferences/detail.html",
        {
            "conference": conference,
            "guest_code": guest_code,
            "host_code": host_code,
            # One line per dial-in number: the tel: link for guests and the one for the host.
            "dial_in": [
                (number, guest_tel, host_tel)
                for (number, guest_tel), (_number, host_tel) in zip(
                    dial_in_links(guest_code), dial_in_links(host_code), strict=True
                )
            ],
            "yes_no": _("yes,no"),
            "offsets": local_time.clock_offsets(
                conference.starts_at, conference.ends_at, request.account.zone
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@conferences_required
def conference_edit(request: CustomerRequest, pk: int) -> HttpResponse:
    conference = _get_conference(request, pk)
    if conference.is_over():
        messages.error(request, _("This conference has ended and can no longer be changed."))
        return redirect("conferences:detail", pk=conference.pk)
    form = ConferenceForm(request.POST or None, account=request.account, conference=conference)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_conference(
                conference,
                ConferenceData.from_form(form.cleaned_data),
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            _show_error(form, error)
        else:
            if changed:
                messages.success(request, _("The conference has been saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("conferences:detail", pk=conference.pk)
    return render(
        request,
        "conferences/form.html",
        {"form": form, "conference": conference},
    )


@require_http_methods(["GET", "POST"])
@conferences_required
def conference_delete(request: CustomerRequest, pk: int) -> HttpResponse:
    conference = _get_conference(request, pk)
    if request.method == "POST":
        services.delete_conference(conference, actor=request.user, request=request)
        messages.success(request, _("The conference has been deleted."))
        return redirect(reverse("conferences:list"))
    return render(
        request,
        "conferences/delete.html",
        {
            "conference": conference,
            "cancellation_recipients": services.cancellation_recipients(conference),
        },
    )


@require_POST
@conferences_required
def regenerate_codes(request: CustomerRequest, pk: int) -> HttpResponse:
    conference = _get_conference(request, pk)
    try:
        services.regenerate_codes(conference, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("New access codes have been generated. The old codes no longer work.")
        )
    return redirect("conferences:detail", pk=conference.pk)


@require_GET
@conferences_required
def conference_ics(request: CustomerRequest, pk: int) -> HttpResponse:
    conference = _get_conference(request, pk)
    if conference.ends_at is None:
        raise Http404("A permanent meeting room has no calendar entry.")
    response = HttpResponse(
        ics.build(conference, ics.PUBLISH), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="conference-{conference.pk}.ics"'
    return response
