"""Teams: list with member counts, create, rename, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view

from .. import selectors, services
from ..forms import TeamForm
from ..models import Membership
from ..permissions import can, require
from .common import TEAM_MEMBERS_PER_PAGE, confirm_page

# --- Teams


@member_view
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest, membership: Membership) -> HttpResponse:
    can_manage = can(membership, "team.manage")
    form = TeamForm(request.POST if request.method == "POST" else None) if can_manage else None
    if request.method == "POST":
        require(membership, "team.manage")
        assert form is not None
        if form.is_valid():
            try:
                team = services.team_create(
                    actor=membership,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc, field_map=form.map_domain_field)
            else:
                messages.success(request, _("Team “%(name)s” created.") % {"name": team.name})
                return redirect("accounts:teams")
    return render(
        request,
        "accounts/teams.html",
        {"teams": selectors.teams(membership=membership), "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@member_view
@require_http_methods(["GET", "POST"])
def team_detail(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    team = selectors.team(membership=membership, pk=pk)
    can_manage = can(membership, "team.manage", team)
    form = None
    if can_manage:
        form = TeamForm(
            request.POST if request.method == "POST" else None,
            initial={"name": team.name, "kind": team.kind},
        )
    if request.method == "POST":
        require(membership, "team.manage", team)
        assert form is not None
        if form.is_valid():
            try:
                services.team_update(
                    actor=membership,
                    team=team,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc, field_map=form.map_domain_field)
                team.refresh_from_db()
            else:
                messages.success(request, _("Team saved."))
                return redirect("accounts:team", pk=team.pk)
    people = selectors.members(membership=membership, team_id=team.pk)
    page = Paginator(people, TEAM_MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/team_detail.html",
        {
            "team": team,
            "form": form,
            "page": page,
            "can_open": can(membership, "member.view_profiles") or can_manage,
        },
        status=400 if form is not None and form.errors else 200,
    )


@member_view
@require_http_methods(["GET", "POST"])
def team_delete(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    team = selectors.team(membership=membership, pk=pk)
    require(membership, "team.manage", team)
    if request.method == "POST":
        name = team.name
        services.team_delete(actor=membership, team=team)
        messages.success(request, _("Team “%(name)s” deleted.") % {"name": name})
        return redirect("accounts:teams")
    return confirm_page(
        request,
        title=_("Delete a team"),
        question=_("Delete the team “%(name)s”?") % {"name": team.name},
        detail=_("Its members stay in the organization; only the team goes."),
        action_label=_("Delete the team"),
        cancel_url=reverse("accounts:team", args=[team.pk]),
    )
