"""Dashboard, organization switch and organization settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.core.web import apply_domain_error, current_membership, member_view, safe_next

from .. import selectors, services
from ..forms import OrganizationForm, OrgSwitchForm
from ..middleware import SESSION_KEY
from ..models import Membership
from ..permissions import require
from ..settings_hub import settings_hub_for
from .common import current_user

# --- Dashboard and organization switch


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        return render(request, "accounts/no_organization.html")
    memberships = list(selectors.memberships_of(current_user(request)))
    profile = selectors.ambassador_profile(membership=membership)
    return render(
        request,
        "accounts/dashboard.html",
        {
            "memberships": memberships,
            "profile": profile,
            "is_ambassador": profile is not None and profile.opted_in,
        },
    )


@require_POST
@login_required
def org_switch(request: HttpRequest) -> HttpResponse:
    form = OrgSwitchForm(request.POST)
    if not form.is_valid():
        raise Http404("Unknown organization")
    found = selectors.membership_in(current_user(request), form.cleaned_data["organization"])
    if found is None:
        raise Http404("Unknown organization")
    request.session[SESSION_KEY] = found.organization_id
    messages.success(
        request, _("You are now working in %(org)s.") % {"org": found.organization.name}
    )
    return redirect(safe_next(request, form.cleaned_data.get("next")) or "accounts:dashboard")


# --- Organization settings


@member_view
@require_http_methods(["GET"])
def settings_hub(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Every organization setting the member may change, in one page (the sections of
    `settings_hub.SETTINGS_HUB`); refused to a member who has none."""
    sections = settings_hub_for(membership)
    if not sections:
        raise PermissionDenied(_("You have no settings to manage."))
    return render(request, "accounts/settings_hub.html", {"sections": sections})


@member_view
@require_http_methods(["GET", "POST"])
def org_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "org.manage")
    organization = membership.organization
    form = OrganizationForm(
        request.POST if request.method == "POST" else None,
        initial=OrganizationForm.initial_for(organization),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                actor=membership,
                organization=organization,
                name=form.cleaned_data["name"],
                default_language=form.cleaned_data["default_language"],
                approvals_required=form.cleaned_data["approvals_required"],
                final_approval_required=form.cleaned_data["final_approval_required"],
                review_days=form.cleaned_data["review_days"],
                reschedule_requires_review=form.cleaned_data["reschedule_requires_review"],
                two_factor_required_for_admins=form.cleaned_data["two_factor_required_for_admins"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
        else:
            messages.success(request, _("The organization's settings are saved."))
            return redirect("accounts:org_settings")
    warnings = selectors.approval_staffing_warnings(membership=membership)
    return render(
        request,
        "accounts/org_settings.html",
        {"form": form, "organization": organization, "warnings": warnings},
        status=400 if form.errors else 200,
    )
