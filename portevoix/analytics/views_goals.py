"""Goals and the KPIs' settings. Goals: the list with each goal's progress, forecast and
status (the team sees them all, an ambassador those shown to ambassadors), and the form to
set or change one. The KPIs' settings: the EMV formula and the content mix target."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import can, require
from portevoix.content import selectors as content_selectors
from portevoix.core.errors import DomainError
from portevoix.core.networks import NETWORK_CHOICES
from portevoix.core.web import apply_domain_error, member_view

from . import services
from .forms_goals import GoalForm, InsightForm, scope_value
from .selectors import goals as goal_selectors
from .selectors import kpis as kpi_selectors

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@member_view
@require_http_methods(["GET"])
def goals(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = goal_selectors.goals(membership=membership)
    return render(
        request,
        "analytics/goals.html",
        {
            "rows": rows,
            "can_manage": goal_selectors.can_manage(membership),
            "team_view": can(membership, "analytics.view_org"),
            "method": goal_selectors.METHOD,
        },
    )


def _form(membership: Membership, data: object = None, initial: object = None) -> GoalForm:
    campaigns = content_selectors.campaigns(membership=membership).values_list("pk", "name")
    teams = account_selectors.organization_teams(
        organization_id=membership.organization_id
    ).values_list("pk", "name")
    return GoalForm(data, initial=initial, campaigns=list(campaigns), teams=list(teams))


@member_view
@require_http_methods(["GET", "POST"])
def goal_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "goal.manage")
    return _goal_form(request, membership, None)


@member_view
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    return _goal_form(request, membership, pk)


def _goal_form(request: HttpRequest, membership: Membership, pk: int | None) -> HttpResponse:
    goal = goal_selectors.goal(membership=membership, goal_id=pk) if pk else None
    status = 200
    if request.method == "POST":
        form = _form(membership, request.POST)
        if form.is_valid():
            data = services.GoalData(**form.cleaned())
            try:
                if goal is None:
                    services.goal_create(actor=membership, data=data)
                else:
                    services.goal_update(actor=membership, goal_id=goal.pk, data=data)
            except DomainError as exc:
                apply_domain_error(form, exc, field_map={"campaign": "scope", "team": "scope"})
            else:
                messages.success(request, _("Goal saved."))
                return redirect("analytics:goals")
        status = 400
    elif goal is not None:
        form = _form(
            membership,
            initial={
                "name": goal.name,
                "metric": goal.metric,
                "target": goal.target,
                "start": goal.start,
                "deadline": goal.deadline,
                "scope": scope_value(goal.campaign_id, goal.team_id),
                "visible_to_ambassadors": goal.visible_to_ambassadors,
            },
        )
    else:
        form = _form(membership)
    return render(
        request,
        "analytics/goal_form.html",
        {"form": form, "goal": goal, "method": goal_selectors.METHOD},
        status=status,
    )


@member_view
@require_POST
def goal_archive(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    services.goal_archive(actor=membership, goal_id=pk)
    messages.success(request, _("Goal archived."))
    return redirect("analytics:goals")


@member_view
@require_http_methods(["GET", "POST"])
def kpi_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "analytics.settings")
    row = kpi_selectors.insight_settings(membership.organization_id)
    status = 200
    if request.method == "POST":
        form = InsightForm(request.POST)
        if form.is_valid():
            try:
                services.insight_settings_update(
                    actor=membership, data=services.InsightData(**form.cleaned())
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("analytics:dashboard")
        status = 400
    else:
        initial = {
            "currency": row.currency,
            "cpc": row.cpc,
            "per_engagement": row.per_engagement,
            "mix_target": row.mix_target,
        }
        initial.update({f"cpm_{code}": row.cpm_for(code) for code, _label in NETWORK_CHOICES})
        form = InsightForm(initial=initial)
    return render(request, "analytics/kpi_settings.html", {"form": form}, status=status)
