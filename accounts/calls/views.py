"""Spis połączeń: the call history with its filters, and the same calls as CSV and as Excel."""

from __future__ import annotations

import re
from typing import Any, cast

from django.db import connection
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from accounts.calls import konto_csv, konto_csv_postgres, xlsx, xlsx_postgres
from accounts.calls.forms import CallFilterForm
from accounts.calls.history import (
    CALLS_PER_PAGE,
    calls_for_export,
    count_calls,
    filtered_calls,
    kept_page_key,
    table_rows,
)
from accounts.decorators import customer_required
from accounts.http import CustomerRequest
from accounts.models import Account, CallRecord
from accounts.paging import IndexPaginator


@require_GET
@customer_required
def calls(request: CustomerRequest) -> HttpResponse:
    account = request.account
    form = CallFilterForm(request.GET)
    form.is_valid()  # errors are shown at their fields; the valid filters still apply
    filters = form.cleaned_data
    # The queryset is made only if the page's rows are read (IndexPaginator).
    rows = cast(
        "QuerySet[Any]", SimpleLazyObject(lambda: table_rows(filtered_calls(account, filters)))
    )
    paginator: IndexPaginator[Any] = IndexPaginator(
        rows,
        CALLS_PER_PAGE,
        counted=lambda _rows: count_calls(account, filters),
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/calls.html",
        {
            "form": form,
            "page": page,
            "filtered": _is_filtered(form),
            # The first and last pages' rows are kept rendered; their query runs only when
            # they are not.
            "rows_key": kept_page_key(account, filters, page),
        },
    )


@require_GET
@customer_required
def calls_export(request: CustomerRequest) -> StreamingHttpResponse:
    """The calls the history shows for the same query string, as Konto CSV (accounts.calls.konto_csv)."""
    account = request.account
    calls = _filtered(request)
    if connection.vendor == "postgresql":
        # The same bytes, written by the database (accounts.calls.konto_csv_postgres).
        pieces = konto_csv_postgres.copy_pieces(calls, account)
    else:
        pieces = konto_csv.csv_pieces(calls_for_export(calls), account)
    response = StreamingHttpResponse(pieces, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{_export_filename(account, "csv")}"'
    # Never cached: NoStoreWhenSignedInMiddleware marks every signed-in response.
    return response


@require_GET
@customer_required
def calls_export_xlsx(request: CustomerRequest) -> FileResponse:
    """The same calls as an Excel workbook for people (accounts.calls.xlsx)."""
    account = request.account
    # The workbook is finished in a temporary file (a zip cannot be streamed as it is
    # written); FileResponse sends it in pieces and closes (deletes) it afterwards.
    calls = _filtered(request)
    if connection.vendor == "postgresql":
        # The same rows, written by the database (accounts.calls.xlsx_postgres).
        workbook = xlsx_postgres.workbook_file(calls, account)
    else:
        workbook = xlsx.workbook_file(calls_for_export(calls), account)
    response = FileResponse(
        workbook,
        as_attachment=True,
        filename=_export_filename(account, "xlsx"),
        content_type=xlsx.CONTENT_TYPE,
    )
    return response


def _filtered(request: CustomerRequest) -> QuerySet[CallRecord]:
    # The history's filters from the same query string: a bad value is left out, as on the page.
    form = CallFilterForm(request.GET)
    form.is_valid()
    return filtered_calls(request.account, form.cleaned_data)


def _is_filtered(form: CallFilterForm) -> bool:
    return any(form.cleaned_data.get(name) for name in form.fields)


def _export_filename(account: Account, extension: str) -> str:
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", account.account_id)
    return f"calls-{safe_id}-{timezone.localdate(timezone=account.zone):%Y-%m-%d}.{extension}"
