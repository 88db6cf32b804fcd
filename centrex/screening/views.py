"""IP Centrex → Selektywne kierowanie połączeń (call screening): the rules and the tester.

The rules themselves (matching, ordering, auditing) live in `centrex.screening`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import feature_required
from accounts.http import CustomerRequest, posted_next_url
from centrex.screening.decision import decide, load_settings, ordered_rules
from centrex.screening.forms import RuleForm, TesterForm
from centrex.screening.models import ScreeningRule
from centrex.screening.numbers import region_of
from centrex.screening.patterns import display_pattern
from centrex.screening.services import (
    block_number,
    delete_rule,
    move_rule,
    save_rule,
    set_rule_enabled,
    set_screening_on,
)
from centrex.screening.shadows import find_shadowed, shadow_warnings
from centrex.screening.windows import describe_window, resolve_local

DISABLED = "centrex/screening_disabled.html"
screening_required = feature_required("call_screening", disabled_template=DISABLED)


def _get_rule(request: CustomerRequest, pk: int) -> ScreeningRule:
    """The signed-in account's rule, or 404 (rules of other accounts do not exist for it)."""
    return get_object_or_404(ScreeningRule, pk=pk, account=request.account)


def _back_to_list() -> HttpResponse:
    return redirect("centrex:screening")


def _warn(request: HttpRequest, warnings: list[str]) -> None:
    for warning in warnings:
        messages.warning(request, warning)


@require_GET
@feature_required("call_screening", disabled_template=DISABLED, landing=True)
def screening_list(request: CustomerRequest) -> HttpResponse:
    account = request.account
    settings = load_settings(account)
    rules = ordered_rules(account)
    shadows = find_shadowed(rules, region_of(account))
    rows = [
        {
            "rule": rule,
            "number": number,
            "callers": [display_pattern(p) for p in rule.patterns],
            "window": describe_window(rule),
            "shadow": shadows.get(rule.pk),
            "voicemail_off": rule.uses_voicemail and not account.voicemail_enabled,
            "first": number == 1,
            "last": number == len(rules),
        }
        for number, rule in enumerate(rules, start=1)
    ]
    return render(
        request,
        "centrex/screening.html",
        {"settings": settings, "rows": rows},
    )


@require_POST
@screening_required
def screening_switch(request: CustomerRequest) -> HttpResponse:
    value = request.POST.get("enabled")
    if value not in ("0", "1"):
        messages.error(request, _("Choose whether to switch call screening on or off."))
        return _back_to_list()
    on = value == "1"
    set_screening_on(request.account, on, request=request)
    if on:
        messages.success(request, _("Call screening is on: your rules apply to incoming calls."))
    else:
        messages.success(
            request, _("Call screening is off: no rule applies and every call rings your phone.")
        )
    return _back_to_list()


@require_http_methods(["GET", "POST"])
@screening_required
def screening_new(request: CustomerRequest) -> HttpResponse:
    rule = ScreeningRule(account=request.account)
    form = RuleForm(request.POST or None, instance=rule, account=request.account)
    if request.method == "POST" and form.is_valid():
        rule = save_rule(form.save(commit=False), request=request)
        messages.success(request, _("Rule “%(name)s” added.") % {"name": rule.name})
        _warn(request, shadow_warnings(request.account, rule))
        return _back_to_list()
    return render(request, "centrex/screening_form.html", {"form": form, "rule": None})


@require_http_methods(["GET", "POST"])
@screening_required
def screening_edit(request: CustomerRequest, pk: int) -> HttpResponse:
    rule = _get_rule(request, pk)
    form = RuleForm(request.POST or None, instance=rule, account=request.account)
    if request.method == "POST" and form.is_valid():
        rule = save_rule(form.save(commit=False), request=request)
        messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
        _warn(request, shadow_warnings(request.account, rule))
        return _back_to_list()
    return render(request, "centrex/screening_form.html", {"form": form, "rule": rule})


@require_http_methods(["GET", "POST"])
@screening_required
def screening_delete(request: CustomerRequest, pk: int) -> HttpResponse:
    rule = _get_rule(request, pk)
    if request.method == "POST":
        delete_rule(rule, request=request)
        messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
        return _back_to_list()
    return render(request, "centrex/screening_delete.html", {"rule": rule})


@require_POST
@screening_required
def screening_toggle(request: CustomerRequest, pk: int) -> HttpResponse:
    rule = _get_rule(request, pk)
    value = request.POST.get("enabled")
    if value not in ("0", "1"):
        messages.error(request, _("Choose whether to enable or disable the rule."))
        return _back_to_list()
    enabled = value == "1"
    set_rule_enabled(rule, enabled, request=request)
    if enabled:
        messages.success(request, _("Rule “%(name)s” enabled.") % {"name": rule.name})
        _warn(request, shadow_warnings(request.account, rule))
    else:
        messages.success(request, _("Rule “%(name)s” disabled.") % {"name": rule.name})
    return _back_to_list()


@require_POST
@screening_required
def screening_move(request: CustomerRequest, pk: int) -> HttpResponse:
    rule = _get_rule(request, pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, _("Choose whether to move the rule up or down."))
        return _back_to_list()
    if move_rule(rule, direction == "up", request=request):
        if direction == "up":
            messages.success(request, _("Rule “%(name)s” moved up.") % {"name": rule.name})
        else:
            messages.success(request, _("Rule “%(name)s” moved down.") % {"name": rule.name})
        _warn(request, shadow_warnings(request.account, rule))
    elif direction == "up":
        messages.info(request, _("Rule “%(name)s” is already first.") % {"name": rule.name})
    else:
        messages.info(request, _("Rule “%(name)s” is already last.") % {"name": rule.name})
    return _back_to_list()


@require_GET
@screening_required
def screening_test(request: CustomerRequest) -> HttpResponse:
    """ "What happens if…": the same decision the switch makes, for a call the customer describes.

    A GET form: asking changes nothing, and the answer can be bookmarked.
    """
    account = request.account
    now = timezone.localtime(timezone.now(), account.zone)
    asked = "date" in request.GET or "time" in request.GET or "caller" in request.GET
    form = TesterForm(
        request.GET if asked else None,
        account=account,
        initial={"date": now.date(), "time": now.time().replace(second=0, microsecond=0)},
    )
    context: dict[str, object] = {"form": form}
    if asked and form.is_valid():
        data = form.cleaned_data
        local = resolve_local(data["date"], data["time"], account.zone)
        decision = decide(account, data["caller"], data["called"] or None, local.moment)
        context.update(
            {
                "local": local,
                "typed": {"date": data["date"], "time": data["time"]},
                "decision": decision,
                "caller_label": data["caller"] or _("anonymous"),
            }
        )
    return render(request, "centrex/screening_test.html", context)


@require_POST
@screening_required
def screening_block(request: CustomerRequest) -> HttpResponse:
    """ "Block this number" from the call history: add it to the "Blocked numbers" rule."""
    back = HttpResponseRedirect(posted_next_url(request) or reverse("centrex:screening"))
    try:
        result = block_number(request.account, request.POST.get("number", ""), request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return back
    number = display_pattern(result.pattern)
    if not result.added:
        messages.info(
            request,
            _("%(number)s is already blocked by the rule “%(name)s”.")
            % {"number": number, "name": result.rule.name},
        )
    elif result.created_rule:
        messages.success(
            request,
            _("%(number)s is blocked: the new rule “%(name)s” rejects its calls.")
            % {"number": number, "name": result.rule.name},
        )
    else:
        messages.success(
            request,
            _("%(number)s is blocked: it was added to the rule “%(name)s”.")
            % {"number": number, "name": result.rule.name},
        )
    _warn(request, result.warnings)
    return back
