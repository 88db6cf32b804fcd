"""Spis połączeń: the call history with its filters, and the CSV export of the same calls."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts import callcsv
from accounts.calls import CALLS_PER_PAGE, LedgerPaginator, calls_for_export, filtered_calls
from accounts.decorators import customer_required
from accounts.forms import CallFilterForm
from accounts.models import Account, CallRecord

# The export is sent in pieces of about this many characters: large enough that the server
# does not write a million tiny chunks, small enough that memory stays flat.
EXPORT_PIECE_SIZE = 64 * 1024


@require_GET
@customer_required
def calls(request: HttpRequest) -> HttpResponse:
    account: Account = request.account
    form = CallFilterForm(request.GET)
    form.is_valid()  # errors are shown at their fields; the valid filters still apply
    paginator = LedgerPaginator(filtered_calls(account, form.cleaned_data), CALLS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/calls.html",
        {"form": form, "page": page, "filtered": _is_filtered(form)},
    )


@require_GET
@customer_required
def calls_export(request: HttpRequest) -> StreamingHttpResponse:
    """The calls the history shows for the same query string, as Konto CSV (accounts.callcsv)."""
    account: Account = request.account
    form = CallFilterForm(request.GET)
    form.is_valid()
    calls = calls_for_export(filtered_calls(account, form.cleaned_data))
    response = StreamingHttpResponse(_csv_pieces(calls, account), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{_export_filename(account)}"'
    # A fresh export every time: never from a cache between the customer and us.
    response["Cache-Control"] = "private, no-store"
    return response


def _is_filtered(form: CallFilterForm) -> bool:
    return any(form.cleaned_data.get(name) for name in form.fields)


def _export_filename(account: Account) -> str:
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", account.account_id)
    return f"calls-{safe_id}-{timezone.localdate(timezone=account.zone):%Y-%m-%d}.csv"


def _csv_pieces(calls: Iterable[CallRecord], account: Account) -> Iterator[bytes]:
    # The incremental encoder writes the byte-order mark once, before the header row.
    encoder = codecs.getincrementalencoder(callcsv.ENCODING)()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(callcsv.COLUMNS)
    for call in calls:
        writer.writerow(callcsv.row_for_call(call, account))
        if buffer.tell() >= EXPORT_PIECE_SIZE:
            yield encoder.encode(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    yield encoder.encode(buffer.getvalue(), final=True)
