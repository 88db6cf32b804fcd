"""The rows of an admin list, written as Django's admin writes them, with the work that is the
same for every row done once per page.

Django's `items_for_result` (django/contrib/admin/templatetags/admin_list.py) works out every
cell from scratch: it looks the column's field up in the model's options, asks for the empty
value's text, builds the cell's classes, makes the choices' dictionary and the boolean's icon
URL, and goes through format_html twice. For fifty calls of eleven columns that was 20 ms of
a 36 ms page. Here each column is worked out once (`Column`), and a row is one string of its
cells, the same characters Django writes: tests/accounts/test_admin_result_rows.py holds every
registered list's rows to Django's own, in both languages.

What this does not write the fast way it hands to Django: a list with editable fields (a form
per row), a pop-up's list (its links carry data for the opener) and a list picking a field
other than the primary key.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from typing import Any

from django.contrib.admin import utils as admin_utils
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    display_for_field,
    display_for_value,
    lookup_field,
    quote,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils import dateformat, formats, numberformat, timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from accounts.templatetags.remembered_url import reversed_with_pk

_NOT_FOUND = object()


class Column:
    """One column of the list: what each of its cells shares, worked out once per page."""

    def __init__(self, changelist: ChangeList, index: int, name: Any, *, link: bool, tag: str):
        model_admin = changelist.model_admin
        self.changelist = changelist
        self.name = name
        self.link = link
        self.tag = tag
        self.empty = model_admin.get_empty_value_display()
        name_of = admin_list._coerce_field_name  # type: ignore[attr-defined]  # private, as used
        self.classes = [f"field-{name_of(name, index)}"]
        # A cell whose value could not be looked up has only its field's class.
        self.plain_class = f' class="{self.classes[0]}"'
        # lookup_field's first step, once: a field of the model, or a method of the admin.
        self.field: models.Field | None = None
        self.method: Callable[[Any], Any] | None = None
        try:
            # (Private in Django; lookup_field and admin_list use it.)
            get_field = admin_utils._get_non_gfk_field  # type: ignore[attr-defined]
            self.field = get_field(changelist.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            if not callable(name) and hasattr(model_admin, name) and name != "__str__":
                self.method = getattr(model_admin, name)
        field = self.field
        self.foreign_key = field is not None and isinstance(field.remote_field, models.ManyToOneRel)
        if (
            field is not None
            and not field.auto_created
            and isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
        ):
            self.classes.append("nowrap")
        if name == "action_checkbox" and field is None:
            self.classes = ["action-checkbox"]
        # The classes are the code's names, not data: Django writes them unescaped too.
        self.cell_class = f' class="{" ".join(self.classes)}"'
        # display_for_field's choices, boolean icons and formats of the page's language, once.
        self.choices: dict[Any, str] | None = None
        self.icons: dict[Any, str] | None = None
        self.kind = ""
        if field is not None and not field.auto_created and not self.foreign_key:
            if getattr(field, "flatchoices", None):
                try:
                    self.choices = {
                        value: conditional_escape(label)
                        for value, label in dict(field.flatchoices).items()
                    }
                except TypeError:  # list-like choices: left to display_for_field
                    self.choices = None
            elif isinstance(field, models.BooleanField):
                self.icons = {
                    value: admin_list._boolean_icon(value)  # type: ignore[attr-defined]  # private
                    for value in (True, False, None)
                }
            else:
                self.kind = self._kind(field)

    def _kind(self, field: models.Field) -> str:
        """How display_for_field shows a value of the field that is not empty, with what that
        needs of the active language's formats (formats.localize, formats.number_format)."""
        if isinstance(field, models.DateTimeField):
            self.date_time_format = formats.get_format("DATETIME_FORMAT")
            return "date_time"
        if isinstance(field, (models.DecimalField, models.IntegerField, models.FloatField)):
            language = get_language()
            self.number_formats = (
                formats.get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
                field.decimal_places if isinstance(field, models.DecimalField) else None,
                formats.get_format("NUMBER_GROUPING", language, use_l10n=True),
                formats.get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
            )
            return "number"
        if isinstance(field, (models.CharField, models.TextField)) and not isinstance(
            field, models.URLField
        ):
            return "text"
        return ""

    def value(self, result: models.Model) -> tuple[models.Field | None, Any, Any]:
        """lookup_field(name, result, model_admin), the column's part of it known already."""
        if self.field is not None:
            return self.field, None, getattr(result, self.name)
        if self.method is not None:
            return None, self.method, self.method(result)
        return lookup_field(self.name, result, self.changelist.model_admin)

    def cell(self, result: models.Model) -> str:
        """The cell as items_for_result writes it."""
        empty = self.empty
        cell_class = self.cell_class
        try:
            field, attr, value = self.value(result)
        except ObjectDoesNotExist:
            shown: Any = empty
            cell_class = self.plain_class
        else:
            empty = getattr(attr, "empty_value_display", empty)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            if field is None or field.auto_created:
                boolean = getattr(attr, "boolean", False)
                if isinstance(attr, property) and hasattr(attr, "fget"):
                    boolean = getattr(attr.fget, "boolean", False)
                shown = display_for_value(value, empty, boolean)
                if isinstance(value, (datetime.date, datetime.time)):
                    cell_class = f' class="{" ".join([*self.classes, "nowrap"])}"'
            elif self.foreign_key:
                # The related object (getattr(result, field.name), as the value was read).
                shown = empty if value is None else value
            else:
                shown = self._shown(value, field, empty)
        content = self._linked(result, shown) if self.link else _escaped(shown)
        return f"<{self.tag}{cell_class}>{content}</{self.tag}>"

    def _shown(self, value: Any, field: models.Field, empty: str) -> Any:
        """display_for_field(value, field, empty), with the column's choices and icons."""
        if self.choices is not None:
            try:
                shown = self.choices.get(value, _NOT_FOUND)
            except TypeError:  # an unhashable value: display_for_field makes it hashable
                shown = _NOT_FOUND
            else:
                return empty if shown is _NOT_FOUND else shown
        elif self.icons is not None and (value is True or value is False or value is None):
            return self.icons[value]
        elif self.kind:
            if value in field.empty_values:
                return empty
            if self.kind == "date_time":
                local = timezone.template_localtime(value)  # type: ignore[attr-defined]  # unstubbed
                return dateformat.format(local, self.date_time_format)
            if self.kind == "number":
                separator, decimals, grouping, thousands = self.number_formats
                return numberformat.format(
                    value, separator, decimals, grouping, thousands, use_l10n=True
                )
            return display_for_value(value, empty)
        return display_for_field(value, field, empty, avoid_link=self.link)

    def _url(self, result: models.Model) -> str:
        """changelist.url_for_result(result), Django's own worked out once per process."""
        changelist = self.changelist
        if type(changelist).url_for_result is not ChangeList.url_for_result:
            return changelist.url_for_result(result)
        opts = changelist.opts
        return reversed_with_pk(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            quote(getattr(result, changelist.pk_attname)),
            changelist.model_admin.admin_site.name,
        )

    def _linked(self, result: models.Model, shown: Any) -> str:
        """The cell's content linked to the row's object, escaped."""
        changelist = self.changelist
        try:
            url = self._url(result)
        except NoReverseMatch:
            return _escaped(shown)
        url = add_preserved_filters(
            {"preserved_filters": changelist.preserved_filters, "opts": changelist.opts}, url
        )
        return f'<a href="{_escaped(url)}">{_escaped(shown)}</a>'


def _escaped(value: Any) -> str:
    """conditional_escape(value), without its wrappers' cost: 550 cells a page."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def columns(changelist: ChangeList) -> list[Column]:
    """The list's columns, with the links items_for_result gives them (the first link's cell a
    <th>)."""
    found = []
    first = True
    links = changelist.list_display_links
    for index, name in enumerate(changelist.list_display):
        if links is None:
            link = False
        elif first and not links:
            link = True
        else:
            link = name in links
        tag = "td"
        if link:
            tag = "th" if first else "td"
            first = False
        found.append(Column(changelist, index, name, link=link, tag=tag))
    return found


def written_results(changelist: ChangeList) -> list[admin_list.ResultList]:
    """admin_list.results(changelist): each row's cells, joined into one."""
    if changelist.formset or changelist.is_popup or changelist.to_field:
        return list(admin_list.results(changelist))
    cells = columns(changelist)
    rows = []
    for result in changelist.result_list:
        row = "".join([column.cell(result) for column in cells])
        # Every value in a cell is escaped as it is written (_escaped).
        rows.append(admin_list.ResultList(None, [mark_safe(row)]))  # noqa: S308
    return rows


def result_list(changelist: ChangeList) -> dict[str, Any]:
    """admin_list.result_list, its rows written by written_results."""
    headers = list(admin_list.result_headers(changelist))
    return {
        "cl": changelist,
        "result_hidden_fields": list(admin_list.result_hidden_fields(changelist)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": written_results(changelist),
    }
