"""The member's own pages: "Me", voluntary ambassador enrolment and personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view

from .. import selectors, services
from ..forms import EnrolmentForm, TokenForm, token_scopes
from ..models import Membership
from ..permissions import require
from .common import confirm_page, current_user, is_ambassador

# --- Me: the member's personal things in one place (the phone's "Me" tab)


@member_view
@require_http_methods(["GET"])
def me(request: HttpRequest, membership: Membership) -> HttpResponse:
    profile = selectors.ambassador_profile(membership=membership)
    return render(
        request,
        "accounts/me.html",
        {
            "profile": profile,
            "is_ambassador": profile is not None and profile.opted_in,
            "memberships": list(selectors.memberships_of(current_user(request))),
        },
    )


# --- Voluntary enrolment


@member_view
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "ambassador.enrol")
    profile = selectors.ambassador_profile(membership=membership)
    enrolled = profile is not None and profile.opted_in
    topics = list(selectors.interest_choices(membership=membership))
    form = EnrolmentForm(
        request.POST if request.method == "POST" else None,
        topics=topics,
        initial=EnrolmentForm.initial_for(profile),
    )
    if request.method == "POST" and form.is_valid():
        data = form.to_data()
        try:
            if enrolled:
                services.ambassador_update(membership=membership, data=data)
            else:
                services.ambassador_opt_in(membership=membership, data=data)
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
        else:
            if enrolled:
                messages.success(request, _("Your ambassador profile is saved."))
            else:
                messages.success(
                    request,
                    _("Welcome aboard! You are now an ambassador; you can withdraw at any time."),
                )
            return redirect("accounts:enrol")
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "network_rows": form.network_rows(),
            "profile": profile,
            "enrolled": enrolled,
            "consents": selectors.consent_history(membership=membership),
        },
        status=400 if form.errors else 200,
    )


@member_view
@require_http_methods(["GET", "POST"])
def enrol_withdraw(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "ambassador.enrol")
    if request.method == "POST":
        services.ambassador_opt_out(membership=membership)
        messages.success(
            request,
            _("You are no longer an ambassador. Thank you! You can join again whenever you like."),
        )
        return redirect("accounts:enrol")
    if not is_ambassador(membership):
        return redirect("accounts:enrol")
    return confirm_page(
        request,
        title=_("Withdraw from the ambassador programme"),
        question=_("Do you want to stop being an ambassador?"),
        detail=_(
            "You will stop receiving the ambassador feed. Your withdrawal is recorded with "
            "today's date. You can join again at any time."
        ),
        action_label=_("Yes, withdraw"),
        cancel_url=reverse("accounts:enrol"),
    )


# --- API tokens


@member_view
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "token.manage_own")
    form = TokenForm(request.POST if request.method == "POST" else None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.api_token_create(
                membership=membership, name=form.cleaned_data["name"], **form.scopes()
            )
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
        else:
            form = TokenForm()
    response = render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": [
                (token, token_scopes(token))
                for token in selectors.api_tokens(membership=membership)
            ],
        },
        status=400 if form.errors else 200,
    )
    # The secret is shown once: never keep this page in a cache.
    response["Cache-Control"] = "no-store"
    return response


@member_view
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    token = selectors.api_token(membership=membership, pk=pk)
    if request.method == "POST":
        services.api_token_revoke(membership=membership, token=token)
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return redirect("accounts:tokens")
    return confirm_page(
        request,
        title=_("Revoke a token"),
        question=_("Revoke the token “%(name)s”?") % {"name": token.name},
        detail=_("Scripts that use it will stop working at once. This cannot be undone."),
        action_label=_("Revoke the token"),
        cancel_url=reverse("accounts:tokens"),
    )
