"""Guardrail rules (community managers and admins) and "check my text" (every member): a
page, and the JSON endpoint that `static/js/guardrails.js` calls for the live highlights."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from portevoix.accounts.permissions import can, require
from portevoix.core.errors import DomainError
from portevoix.core.networks import Network
from portevoix.core.web import apply_domain_error, current_membership, member_view

from .. import gates, matching, selectors, services
from ..forms import MAX_CHECK_CHARS, CheckForm, RuleForm
from ..models import GuardrailRule

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# --- Rules


@dataclass
class RuleRow:
    rule: GuardrailRule
    networks: list[str]
    summary: str


def _rule_summary(rule: GuardrailRule) -> str:
    if rule.kind == matching.LINK_DOMAIN:
        return ", ".join(rule.allowed_domains)
    if rule.kind == matching.DISCLOSURE:
        others = _("other networks")
        return ", ".join(
            f"{others if key == matching.ANY_NETWORK else Network.LABELS.get(key, key)}: {text}"
            for key, text in sorted(rule.disclosures.items())
        )
    return ", ".join(rule.terms)


@member_view
def rules(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = [
        RuleRow(r, [Network.LABELS.get(n, n) for n in r.networks], _rule_summary(r))
        for r in selectors.rules(membership=membership)
    ]
    return render(request, "governance/rules.html", {"rows": rows})


def _rule_form_page(
    request: HttpRequest, form: RuleForm, rule: GuardrailRule | None, status: int = 200
) -> HttpResponse:
    return render(request, "governance/rule_form.html", {"form": form, "rule": rule}, status=status)


@member_view
@require_http_methods(["GET", "POST"])
def rule_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "guardrails.manage")
    initial = {"kind": request.GET.get("kind", matching.BLOCKED_TERM), "active": True}
    form = RuleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.rule_create(actor=membership, data=form.to_data())
            except DomainError as exc:
                apply_domain_error(form, exc, field_map=form.domain_field)
            else:
                messages.success(request, _("The rule was created."))
                return redirect("governance:rules")
        return _rule_form_page(request, form, None, status=400)
    return _rule_form_page(request, form, None)


@member_view
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    rule = selectors.rule(membership=membership, pk=pk)
    form = RuleForm(
        request.POST if request.method == "POST" else None, initial=RuleForm.initial_for(rule)
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.rule_update(actor=membership, rule=rule, data=form.to_data())
            except DomainError as exc:
                apply_domain_error(form, exc, field_map=form.domain_field)
            else:
                messages.success(request, _("The rule was saved."))
                return redirect("governance:rules")
        return _rule_form_page(request, form, rule, status=400)
    return _rule_form_page(request, form, rule)


@member_view
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    rule = selectors.rule(membership=membership, pk=pk)
    if request.method == "POST":
        services.rule_delete(actor=membership, rule=rule)
        messages.success(request, _("The rule was deleted."))
        return redirect("governance:rules")
    return render(
        request,
        "governance/confirm.html",
        {
            "title": _("Delete this rule?"),
            "question": _("Delete the rule “%(rule)s”? Texts will no longer be checked by it.")
            % {"rule": _rule_summary(rule)[:200]},
            "action_label": _("Delete the rule"),
            "cancel_url": "governance:rules",
        },
    )


# --- Check my text


@dataclass
class CheckView:
    """A checked text, ready to show: its highlighted pieces and the messages."""

    network: str
    text: str
    pieces: list[tuple[str, str]]
    blocking: list[str]
    warnings: list[str]
    result_text: str
    disclosure_added: str
    matches: list[dict[str, Any]]

    @property
    def blocked(self) -> bool:
        return bool(self.blocking)

    def summary(self) -> str:
        if self.blocking:
            return ngettext(
                "Refused: %(count)d blocking match. Change the highlighted words.",
                "Refused: %(count)d blocking matches. Change the highlighted words.",
                len(self.blocking),
            ) % {"count": len(self.blocking)}
        if self.warnings:
            return ngettext(
                "Allowed with %(count)d warning: a moderator will read it.",
                "Allowed with %(count)d warnings: a moderator will read it.",
                len(self.warnings),
            ) % {"count": len(self.warnings)}
        return _("Nothing to report: the text follows the guidelines.")


def check_text(membership: Membership, text: str, network: str) -> CheckView:
    outcome, result = gates.check_rules(
        rules=selectors.active_rules(membership.organization), text=text, network=network
    )
    matches = []
    for hit, match in zip(outcome.hits, result.matches, strict=True):
        matches.append(
            {
                "rule_id": match.rule_id,
                "kind": match.kind,
                "action": match.action,
                "term": match.term,
                "found": hit.found,
                "start": match.start,
                "end": match.end,
                "reason": match.reason,
                "message": gates.describe(match),
            }
        )
    return CheckView(
        network=network,
        text=text,
        pieces=matching.segments(text, outcome.hits),
        blocking=gates.describe_all(result, action=matching.BLOCK),
        warnings=gates.describe_all(result, action=matching.WARN),
        result_text=result.text,
        disclosure_added=outcome.disclosure_added,
        matches=matches,
    )


def _charter_redirect(request: HttpRequest, membership: Membership) -> HttpResponse | None:
    """Writing for the networks starts with the charter: send the member to accept it."""
    for blocker in gates.sharing_blockers(membership):
        if blocker.code == "charter":
            messages.info(request, blocker.message)
            return redirect(f"{blocker.url}?{urlencode({'next': request.get_full_path()})}")
    return None


@member_view
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "guardrails.check")
    if (sent := _charter_redirect(request, membership)) is not None:
        return sent
    initial = {"network": request.GET.get("network", Network.LINKEDIN)}
    form = CheckForm(request.POST if request.method == "POST" else None, initial=initial)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = check_text(membership, form.cleaned_data["text"], form.cleaned_data["network"])
            if result.blocked:
                form.add_error("text", result.summary())
                status = 400
        else:
            status = 400
    network = form["network"].value() or ""
    return render(
        request,
        "governance/check.html",
        {"form": form, "result": result, "network": network},
        status=status,
    )


@require_POST
def check_live(request: HttpRequest) -> JsonResponse:
    """The matches of a text, with their offsets, for the live highlights. The same rules
    run on the server when the text is submitted."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Log in first.")}, status=401)
    membership = current_membership(request)
    if not can(membership, "guardrails.check"):
        return JsonResponse({"error": _("Not allowed.")}, status=403)
    assert membership is not None
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": _("Send a JSON object.")}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"error": _("Send a JSON object.")}, status=400)
    network = payload.get("network") or ""
    text = payload.get("text", "")
    if not isinstance(network, str) or (network and network not in Network.ALL):
        return JsonResponse({"error": _("Unknown network.")}, status=400)
    if not isinstance(text, str) or len(text) > MAX_CHECK_CHARS or "\x00" in text:
        return JsonResponse({"error": _("The text is not valid.")}, status=400)
    result = check_text(membership, text, network)
    return JsonResponse(
        {
            "network": network,
            "blocked": result.blocked,
            "warned": bool(result.warnings),
            "summary": result.summary(),
            "text": result.result_text,
            "disclosure_added": result.disclosure_added,
            "matches": result.matches,
        }
    )
