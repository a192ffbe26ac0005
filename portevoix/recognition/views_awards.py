"""Badges and challenges pages: the gallery, the organization's own badges, the
challenges with their progress, and the forms of those who run them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.accounts.permissions import can, require
from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only

from . import selectors, services
from .forms import BadgeForm, ChallengeForm

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@member_view
@require_http_methods(["GET"])
def badges(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "recognition.view")
    services.badges_ensure_defaults(organization_id=membership.organization_id)
    manage = can(membership, "recognition.challenges")
    context = {
        "rows": selectors.gallery(membership=membership, include_retired=manage),
        "can_manage": manage,
    }
    return render(request, "recognition/badges.html", context)


@member_view
@require_http_methods(["GET", "POST"])
def badge_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "recognition.challenges")
    form = BadgeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.badge_create(actor=membership, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The badge is created."))
                return redirect("recognition:badges")
    return render(request, "recognition/badge_form.html", {"form": form}, status=status)


@member_view
def badge_active(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Retire a badge or bring it back (POST `active` = "1" or "0")."""
    require(membership, "recognition.challenges")
    badge = selectors.badge_to_manage(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    active = request.POST.get("active") == "1"
    services.badge_set_active(actor=membership, badge_id=badge.pk, active=active)
    messages.success(request, _("Badge brought back.") if active else _("Badge retired."))
    return redirect("recognition:badges")


@member_view
@require_http_methods(["GET"])
def challenges(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "recognition.view")
    context = {
        "rows": selectors.challenge_list(membership=membership),
        "can_manage": can(membership, "recognition.challenges"),
    }
    return render(request, "recognition/challenges.html", context)


@member_view
def challenge(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """One challenge (another organization's: 404 whatever the method)."""
    require(membership, "recognition.view")
    detail = selectors.challenge_detail(membership=membership, pk=pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return render(request, "recognition/challenge.html", {"detail": detail, "row": detail.row})


@member_view
@require_http_methods(["GET", "POST"])
def challenge_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "recognition.challenges")
    teams, campaigns = selectors.challenge_form_choices(membership=membership)
    form = ChallengeForm(request.POST or None, teams=teams, campaigns=campaigns)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.challenge_create(
                    actor=membership,
                    data=services.ChallengeData(
                        title=data["title"],
                        description=data["description"],
                        metric=data["metric"],
                        target=data["target"],
                        starts_at=data["starts_at"],
                        ends_at=data["ends_at"],
                        scope=data["scope"],
                        team_id=data["team"],
                        campaign_id=data["campaign"],
                        min_score=data["min_score"],
                        bonus_points=data["bonus_points"],
                    ),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The challenge is created."))
                return redirect("recognition:challenge", pk=created.pk)
    return render(request, "recognition/challenge_form.html", {"form": form}, status=status)
