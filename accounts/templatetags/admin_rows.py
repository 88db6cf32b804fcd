"""{% written_result_list cl %}: the admin's {% result_list cl %}, its rows written by
accounts.admin.result_rows (the same HTML, the per-row work done once per page)."""

from __future__ import annotations

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.template.base import Parser, Token

from accounts.admin import result_rows

register = template.Library()


@register.tag(name="written_result_list")
def written_result_list(parser: Parser, token: Token) -> InclusionAdminNode:
    # As admin_list's result_list tag: change_list_results.html, which an app or a model may
    # override.
    return InclusionAdminNode(
        parser,
        token,
        func=result_rows.result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
