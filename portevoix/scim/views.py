"""The directory provisioning settings page (`/settings/directory/`): tokens for the identity
provider, the safety brake, and the deactivations it holds. Admins only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view

from . import selectors, services
from .forms import BrakeForm, DirectoryTokenForm

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@member_view
@require_http_methods(["GET", "POST"])
def directory_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    overview = selectors.directory_overview(membership=membership)
    token_form = DirectoryTokenForm()
    brake_form = BrakeForm(
        initial={
            "brake_percent": overview.settings.brake_percent,
            "brake_window_hours": overview.settings.brake_window_hours,
        }
    )
    issued = None
    if request.method == "POST" and request.POST.get("form") == "token":
        token_form = DirectoryTokenForm(request.POST)
        if token_form.is_valid():
            try:
                issued = services.directory_token_create(
                    membership=membership, name=token_form.cleaned_data["name"]
                )
            except DomainError as exc:
                apply_domain_error(token_form, exc)
            else:
                token_form = DirectoryTokenForm()
                overview = selectors.directory_overview(membership=membership)
    elif request.method == "POST" and request.POST.get("form") == "brake":
        brake_form = BrakeForm(request.POST)
        if brake_form.is_valid():
            try:
                services.directory_settings_update(
                    membership=membership,
                    brake_percent=brake_form.cleaned_data["brake_percent"],
                    window_hours=brake_form.cleaned_data["brake_window_hours"],
                )
            except DomainError as exc:
                apply_domain_error(brake_form, exc)
            else:
                messages.success(request, _("The brake is saved."))
                return redirect("scim:settings")
    response = render(
        request,
        "scim/settings.html",
        {
            "overview": overview,
            "issued": issued,
            "token_form": token_form,
            "brake_form": brake_form,
            "scim_url": request.build_absolute_uri("/scim/v2"),
        },
        status=400 if token_form.errors or brake_form.errors else 200,
    )
    # A new token's secret is shown once: never keep this page in a cache.
    response["Cache-Control"] = "no-store"
    return response


@member_view
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    token = selectors.directory_token(membership=membership, pk=pk)
    if token is None or token.revoked_at is not None:
        raise Http404
    if request.method == "POST":
        services.directory_token_revoke(membership=membership, token_id=token.pk)
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return redirect("scim:settings")
    return render(
        request,
        "accounts/confirm.html",  # the house confirmation page
        {
            "title": _("Revoke a directory token"),
            "question": _("Revoke the token “%(name)s”?") % {"name": token.name},
            "detail": _("The identity provider that uses it stops syncing at once."),
            "action_label": _("Revoke the token"),
            "cancel_url": reverse("scim:settings"),
            "danger": True,
        },
    )


@member_view
@require_http_methods(["POST"])
def held_decide(request: HttpRequest, membership: Membership) -> HttpResponse:
    confirm = request.POST.get("decision") == "confirm"
    count = services.held_deactivations_decide(membership=membership, confirm=confirm)
    if confirm:
        messages.success(request, _("%(count)d deactivations applied.") % {"count": count})
    else:
        messages.success(request, _("%(count)d deactivations dismissed.") % {"count": count})
    return redirect("scim:settings")
