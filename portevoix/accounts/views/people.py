"""People: the members list and a member's page (roles, teams, status)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.core.web import apply_domain_error, member_view

from .. import selectors, services
from ..forms import MemberEditForm, MemberFilterForm
from ..models import Membership
from ..permissions import can, require
from ..roles import Role
from .common import PEOPLE_PER_PAGE, is_ambassador, role_labels

# --- People


@member_view
def members(request: HttpRequest, membership: Membership) -> HttpResponse:
    teams = list(selectors.teams(membership=membership))
    can_manage = can(membership, "member.manage")
    filter_form = MemberFilterForm(request.GET, teams=teams, allow_inactive=can_manage)
    qs = selectors.members(membership=membership, **filter_form.filters())
    page = Paginator(qs, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "membership": m,
            "roles": role_labels(m),
            "teams": [t.name for t in m.teams.all()],
            "is_ambassador": is_ambassador(m),
            "is_self": m.user_id == membership.user_id,
        }
        for m in page
    ]
    return render(
        request,
        "accounts/members.html",
        {
            "filter_form": filter_form,
            "page": page,
            "rows": rows,
            "can_open": can(membership, "member.view_profiles") or can_manage,
            "is_filtered": any(filter_form.filters().values()),
        },
    )


@member_view
@require_http_methods(["GET", "POST"])
def member_detail(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    target = selectors.member(membership=membership, pk=pk)
    can_manage = can(membership, "member.manage", target)
    is_self = target.user_id == membership.user_id
    if not (can_manage or is_self or can(membership, "member.view_profiles", target)):
        raise PermissionDenied(_("You cannot see this profile."))
    teams = list(selectors.teams(membership=membership))
    form = None
    if can_manage:
        initial = {
            "roles": [r.role for r in target.role_rows.all() if r.role != Role.AMBASSADOR],
            "teams": [str(t.pk) for t in target.teams.all()],
            "title": target.title,
            "is_active": target.is_active,
        }
        form = MemberEditForm(
            request.POST if request.method == "POST" else None, teams=teams, initial=initial
        )
    if request.method == "POST":
        require(membership, "member.manage", target)
        assert form is not None
        if form.is_valid():
            try:
                services.membership_update(
                    actor=membership,
                    membership=target,
                    roles=list(form.cleaned_data["roles"]),
                    team_ids=form.team_ids(),
                    title=form.cleaned_data["title"],
                    is_active=form.cleaned_data["is_active"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc, field_map=form.map_domain_field)
            else:
                messages.success(
                    request, _("%(name)s's profile is saved.") % {"name": target.user.display_name}
                )
                return redirect("accounts:members")
    profile = selectors.ambassador_profile(membership=target)
    return render(
        request,
        "accounts/member_detail.html",
        {
            "target": target,
            "form": form,
            "is_self": is_self,
            "roles": role_labels(target),
            "profile": profile,
            "is_ambassador": profile is not None and profile.opted_in,
            "login_locked": can_manage and selectors.login_locked(target.user.email),
        },
        status=400 if form is not None and form.errors else 200,
    )


@member_view
@require_http_methods(["POST"])
def member_unlock(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Lift the login lock (too many wrong passwords) of a member: their admins may."""
    target = selectors.member(membership=membership, pk=pk)
    services.login_unlock(actor=membership, target=target)
    messages.success(request, _("%(name)s can log in again.") % {"name": target.user.display_name})
    return redirect("accounts:member", pk=target.pk)
