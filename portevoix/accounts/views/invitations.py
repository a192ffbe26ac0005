"""Invitations: send, list, withdraw, and the public acceptance page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.core.web import apply_domain_error, member_view

from .. import selectors, services
from ..forms import AcceptInvitationForm, InvitationForm
from ..middleware import SESSION_KEY
from ..models import Membership
from ..permissions import require
from ..roles import ROLE_LABELS
from .common import confirm_page, current_user

# --- Invitations


@member_view
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "member.invite")
    organization = membership.organization
    teams = list(selectors.teams(membership=membership))
    form = InvitationForm(
        request.POST if request.method == "POST" else None,
        teams=teams,
        initial={"language": organization.default_language},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                actor=membership,
                email=form.cleaned_data["email"],
                roles=list(form.cleaned_data["roles"]),
                team_ids=form.team_ids(),
                language=form.cleaned_data["language"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:invite")
    now = clock.now()
    pending = [
        {
            "invitation": invitation,
            "roles": [str(ROLE_LABELS.get(role, role)) for role in invitation.roles],
            "expired": invitation.expires_at <= now,
        }
        for invitation in selectors.pending_invitations(membership=membership)
    ]
    return render(
        request,
        "accounts/invite.html",
        {"form": form, "pending": pending, "ttl_days": settings.INVITATION_TTL_DAYS},
        status=400 if form.errors else 200,
    )


@member_view
@require_http_methods(["GET", "POST"])
def invitation_revoke(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    invitation = selectors.invitation(membership=membership, pk=pk)
    if request.method == "POST":
        services.invitation_revoke(actor=membership, invitation=invitation)
        messages.success(
            request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
        )
        return redirect("accounts:invite")
    return confirm_page(
        request,
        title=_("Withdraw an invitation"),
        question=_("Withdraw the invitation sent to %(email)s?") % {"email": invitation.email},
        detail=_("The link in the email will stop working. You can invite them again later."),
        action_label=_("Withdraw the invitation"),
        cancel_url=reverse("accounts:invite"),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_by_token(token)
    except NotFound as exc:
        return render(
            request, "accounts/invitation_invalid.html", {"reason": exc.message}, status=404
        )
    except Conflict as exc:
        return render(
            request, "accounts/invitation_invalid.html", {"reason": exc.message}, status=410
        )
    user = current_user(request) if request.user.is_authenticated else None
    form = None
    error = ""
    if user is None:
        form = AcceptInvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        membership = None
        try:
            if user is not None:
                membership = services.invitation_accept(token=token, user=user)
            elif form is not None and form.is_valid():
                membership = services.invitation_accept(
                    token=token,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password"],
                )
        except DomainError as exc:
            if form is not None:
                apply_domain_error(form, exc, field_map=form.map_domain_field)
            else:
                error = exc.message
        if membership is not None:
            if user is None:
                login(
                    request,
                    membership.user,
                    backend="django.contrib.auth.backends.ModelBackend",
                )
            request.session[SESSION_KEY] = membership.organization_id
            messages.success(
                request,
                _("Welcome to %(org)s!") % {"org": membership.organization.name},
            )
            return redirect("accounts:dashboard")
    login_url = f"{reverse('accounts:login')}?{urlencode({'next': request.path})}"
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "organization": invitation.organization,
            "form": form,
            "error": error,
            "login_url": login_url,
            "has_account": user is None and selectors.account_exists(invitation.email),
            "email_matches": user is None or user.email.lower() == invitation.email.lower(),
        },
        status=400 if error or (form is not None and form.errors) else 200,
    )
