"""The managers' pages: crisis pause (and the held posts), posting rhythm, network apps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portevoix.accounts.permissions import can, require
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.networks import Network
from portevoix.core.web import apply_domain_error, member_view

from .. import connections, selectors, services
from ..forms import AppForm, CadenceForm, PauseForm
from ._common import callback_uri

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# --------------------------------------------------------------------------- managers


@member_view
def pause(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Crisis pause: stop all scheduled publishing (or one campaign's) in one action."""
    require(membership, "publishing.pause")
    # A listening alert links here with the reason filled in (escaped when rendered).
    form = PauseForm(initial={"reason": request.GET.get("reason", "")[:500]})
    if request.method == "POST":
        form = PauseForm(request.POST)
        if form.is_valid():
            try:
                services.pause_start(
                    actor=membership,
                    reason=form.cleaned_data["reason"],
                    campaign_id=form.cleaned_data["campaign"],
                )
            except (PermissionDenied, NotFound):
                raise
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Publishing is paused. Nothing scheduled goes out until you resume.")
                )
                return redirect("publishing:pause")
    overview = selectors.pause_overview(membership)
    return render(
        request,
        "publishing/pause.html",
        {
            "form": form,
            "active": overview.active,
            "recent": overview.recent,
            "campaigns": overview.campaigns,
            "scheduled_count": overview.scheduled_count,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@member_view
def pause_end(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    try:
        services.pause_end(actor=membership, pause_id=pk)
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Publishing resumed. Decide below what happens to the held posts.")
        )
    return redirect("publishing:pause")


@require_POST
@member_view
def held_decide(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    release = request.POST.get("decision") == "release"
    raw = request.POST.getlist("post")
    ids = [int(v) for v in raw if v.isdigit()] if raw else None
    try:
        count = services.held_decide(actor=membership, pause_id=pk, post_ids=ids, release=release)
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if release:
            messages.success(request, _("%(n)s post(s) released.") % {"n": count})
        else:
            messages.success(request, _("%(n)s post(s) cancelled.") % {"n": count})
    return redirect("publishing:pause")


@member_view
def cadence(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "publishing.cadence")
    rules = selectors.cadence_rules(membership.organization_id)
    errors: dict[str, CadenceForm] = {}
    if request.method == "POST":
        form = CadenceForm(request.POST)
        if form.is_valid() and form.cleaned_data["network"] in Network.ALL:
            try:
                services.cadence_set(
                    actor=membership,
                    network=form.cleaned_data["network"],
                    max_per_day=form.cleaned_data["max_per_day"],
                    min_gap_minutes=form.cleaned_data["min_gap_minutes"],
                )
            except (PermissionDenied, NotFound):
                raise
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("publishing:cadence")
        errors[str(request.POST.get("network", ""))] = form
    forms_by_network = []
    for code in Network.ALL:
        rule = rules.get(code)
        form = errors.get(code) or CadenceForm(
            initial={
                "network": code,
                "max_per_day": rule.max_per_day if rule else 0,
                "min_gap_minutes": rule.min_gap_minutes if rule else 0,
            },
            prefix=None,
        )
        forms_by_network.append((code, Network.LABELS[code], form))
    return render(
        request,
        "publishing/cadence.html",
        {"forms": forms_by_network},
        status=400 if errors else 200,
    )


@member_view
def apps(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The organization's own apps on LinkedIn, X, Threads and Facebook (else the platform's)."""
    require(membership, "publishing.apps")
    if request.method == "POST":
        form = AppForm(request.POST)
        if form.is_valid():
            try:
                connections.network_app_set(
                    actor=membership,
                    network=form.cleaned_data["network"],
                    client_id=form.cleaned_data["client_id"],
                    client_secret=form.cleaned_data["client_secret"],
                )
            except (PermissionDenied, NotFound):
                raise
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Saved."))
        return redirect("publishing:apps")
    stored = selectors.network_apps(membership.organization_id)
    rows = []
    for code in (Network.LINKEDIN, Network.X, Network.THREADS, Network.FACEBOOK):
        app = stored.get(code)
        rows.append(
            {
                "code": code,
                "label": Network.LABELS[code],
                "form": AppForm(
                    initial={"network": code, "client_id": app.client_id if app else ""}
                ),
                "has_secret": bool(app and app.client_secret_encrypted),
                "from_environment": bool(settings.SOCIAL_APPS.get(code, {}).get("client_id")),
                "callback": callback_uri(request, code),
            }
        )
    return render(
        request,
        "publishing/apps.html",
        {"rows": rows, "can_apps": can(membership, "publishing.apps")},
    )
