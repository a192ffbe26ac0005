"""Dashboard, organization switch and organization settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portevoix.core.errors import DomainError

from .. import selectors, services
from ..forms import OrganizationForm, OrgSwitchForm
from ..middleware import SESSION_KEY, _membership
from ..models import Membership
from ..permissions import require
from ..roles import Role
from .common import current_user, org_view

# --- Dashboard and organization switch


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
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
    found = (
        selectors.memberships_of(current_user(request))
        .filter(organization_id=form.cleaned_data["organization"])
        .first()
    )
    if found is None:
        raise Http404("Unknown organization")
    request.session[SESSION_KEY] = found.organization_id
    messages.success(
        request, _("You are now working in %(org)s.") % {"org": found.organization.name}
    )
    target = form.cleaned_data.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("accounts:dashboard")


# --- Organization settings


@org_view
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
            )
        except DomainError as exc:
            form.apply_domain_error(exc)
        else:
            messages.success(request, _("The organization's settings are saved."))
            return redirect("accounts:org_settings")
    counts = selectors.role_counts(membership=membership)
    approvers = counts.get(Role.APPROVER, 0) + counts.get(Role.FINAL_APPROVER, 0)
    warnings = []
    if organization.final_approval_required and not counts.get(Role.FINAL_APPROVER):
        warnings.append(
            _(
                "Nobody has the final approver role yet: content cannot go live until an "
                "administrator gives it to someone."
            )
        )
    if approvers < organization.approvals_required:
        warnings.append(
            _(
                "Approvals required: %(required)d; people who can approve: %(count)d. Give the "
                "approver role to more people, or require fewer approvals."
            )
            % {"required": organization.approvals_required, "count": approvers}
        )
    return render(
        request,
        "accounts/org_settings.html",
        {"form": form, "organization": organization, "warnings": warnings},
        status=400 if form.errors else 200,
    )
