"""Recognition pages: the boards, my points, my visibility choice, the board's export."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from portevoix.accounts.permissions import can, require
from portevoix.core.errors import DomainError, NotFound
from portevoix.core.web import apply_domain_error, member_view, post_only

from . import selectors, services
from .forms import (
    BoardFilterForm,
    DefaultVisibilityForm,
    RecountForm,
    RuleForm,
    VisibilityForm,
)
from .models import Period

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def _filters(
    request: HttpRequest, membership: Membership
) -> tuple[str, int | None, BoardFilterForm]:
    """The period (unknown: this month) and the team (another organization's: 404)."""
    teams = selectors.teams(membership=membership)
    period = request.GET.get("period") or "month"
    if period not in Period.values:
        period = "month"
    team_id = None
    if raw := request.GET.get("team"):
        team_id = int(raw) if raw.isdigit() and len(raw) < 12 else None
        if team_id not in dict(teams):
            raise NotFound(_("Not found."))
    form = BoardFilterForm({"period": period, "team": team_id or ""}, teams=teams)
    form.is_valid()
    return period, team_id, form


@member_view
@require_http_methods(["GET"])
def board(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "recognition.view")
    period, team_id, form = _filters(request, membership)
    context: dict[str, Any] = {
        "form": form,
        "period": period,
        "period_label": dict(Period.choices)[period],
        "team_id": team_id,
        "rows": selectors.board(membership=membership, period=period, team_id=team_id),
        "standing": selectors.standing(membership=membership, period=period, team_id=team_id),
        "team_rows": (
            selectors.team_board(membership=membership, period=period) if not team_id else []
        ),
        "min_team_size": selectors.MIN_TEAM_SIZE,
        "can_export": can(membership, "analytics.view_org"),
        "can_manage": can(membership, "recognition.manage"),
    }
    return render(request, "recognition/board.html", context)


@member_view
@require_http_methods(["GET"])
def board_export(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The board as CSV (everyone it shows, never the hidden), for those who see the
    organization's figures."""
    require(membership, "analytics.view_org")
    period, team_id, _form = _filters(request, membership)
    rows = selectors.board(membership=membership, period=period, team_id=team_id, limit=None)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="board-{period}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Rank"), _("Name"), _("Points")])
    for row in rows:
        writer.writerow([row.rank, row.name, row.points])
    return response


@member_view
@require_http_methods(["GET"])
def me(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "recognition.view")
    return _me_page(request, membership, None)


def _me_page(
    request: HttpRequest, membership: Membership, form: VisibilityForm | None, status: int = 200
) -> HttpResponse:
    chosen = selectors.choice(membership=membership)
    if form is None:
        form = VisibilityForm(
            initial={"visibility": chosen.visibility, "pseudonym": chosen.pseudonym}
        )
    lifetime, spendable = selectors.balance(membership=membership)
    standings = [
        (label, selectors.standing(membership=membership, period=code))
        for code, label in Period.choices
    ]
    context = {
        "form": form,
        "lifetime": lifetime,
        "spendable": spendable,
        "standings": standings,
        "entries": selectors.recent_entries(membership=membership),
        "badges": selectors.my_badges(membership=membership),
        "rules": selectors.rules_in_force(organization_id=membership.organization_id),
    }
    return render(request, "recognition/me.html", context, status=status)


@member_view
def visibility(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "recognition.view")
    if refused := post_only(request):
        return refused
    form = VisibilityForm(request.POST)
    if form.is_valid():
        try:
            services.preference_set(
                membership=membership,
                visibility=form.cleaned_data["visibility"],
                pseudonym=form.cleaned_data["pseudonym"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your choice is saved."))
            return redirect("recognition:me")
    return _me_page(request, membership, form, status=400)


def _rule_forms(membership: Membership, data: Any = None) -> list[tuple[Any, RuleForm]]:
    rules = selectors.rules_in_force(organization_id=membership.organization_id)
    return [
        (
            rule,
            RuleForm(
                data,
                prefix=rule.code,
                initial={
                    "points": rule.points,
                    "daily_cap": rule.daily_cap,
                    "network_daily_cap": rule.network_daily_cap,
                    "active": rule.active,
                },
            ),
        )
        for rule in rules
    ]


@member_view
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The organization's point rules and how members appear until they choose. A change
    holds from now on: what was earned keeps its value."""
    require(membership, "recognition.manage")
    default = selectors.default_visibility(membership.organization_id)
    if request.method == "POST":
        forms_ = _rule_forms(membership, request.POST)
        visibility_form = DefaultVisibilityForm(request.POST)
        if all(form.is_valid() for _rule, form in forms_) and visibility_form.is_valid():
            try:
                changed = services.rules_update(
                    actor=membership,
                    rules=[
                        services.RuleData(code=rule.code, **form.cleaned_data)
                        for rule, form in forms_
                    ],
                )
                chosen = visibility_form.cleaned_data["default_visibility"]
                if chosen != default:
                    services.default_visibility_set(actor=membership, visibility=chosen)
            except DomainError as exc:
                apply_domain_error(visibility_form, exc)
            else:
                message = ngettext(
                    "Saved: %(count)s rule changed.", "Saved: %(count)s rules changed.", changed
                )
                messages.success(request, message % {"count": changed})
                return redirect("recognition:rules")
        status = 400
    else:
        forms_ = _rule_forms(membership)
        visibility_form = DefaultVisibilityForm(initial={"default_visibility": default})
        status = 200
    return _rules_page(request, membership, forms_, visibility_form, RecountForm(), status)


def _rules_page(
    request: HttpRequest,
    membership: Membership,
    forms_: list[tuple[Any, RuleForm]],
    visibility_form: DefaultVisibilityForm,
    recount_form: RecountForm,
    status: int,
) -> HttpResponse:
    context = {
        "rule_forms": forms_,
        "visibility_form": visibility_form,
        "recount_form": recount_form,
        "recounts": selectors.recounts(membership=membership),
    }
    return render(request, "recognition/rules.html", context, status=status)


@member_view
def recount(request: HttpRequest, membership: Membership) -> HttpResponse:
    """An administrator asks to value past events again with today's rules (recorded)."""
    require(membership, "recognition.manage")
    if refused := post_only(request):
        return refused
    form = RecountForm(request.POST)
    if form.is_valid():
        done = services.points_recount(actor=membership, since=form.cleaned_data["since"])
        messages.success(
            request,
            ngettext(
                "Recount done: %(count)s award corrected, %(points)s points in all.",
                "Recount done: %(count)s awards corrected, %(points)s points in all.",
                done.entries_changed,
            )
            % {"count": done.entries_changed, "points": done.points_delta},
        )
        return redirect("recognition:rules")
    default = selectors.default_visibility(membership.organization_id)
    visibility_form = DefaultVisibilityForm(initial={"default_visibility": default})
    return _rules_page(request, membership, _rule_forms(membership), visibility_form, form, 400)
