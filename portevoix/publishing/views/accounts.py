"""Connected accounts: connecting (OAuth, Bluesky app password), disconnecting, the
account kind, and delegation to an assistant."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portevoix.accounts.permissions import require
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.networks import Network
from portevoix.core.web import member_view

from .. import connections, selectors, services
from ..forms import BlueskyForm
from ._common import callback_uri

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# --------------------------------------------------------------------------- accounts


@member_view
def accounts(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The member's connected accounts, per network; delegation to an assistant."""
    require(membership, "share.create")
    mine = selectors.my_connections(membership)
    by_network: dict[str, list[Any]] = {code: [] for code in Network.ALL}
    for connection in mine:
        by_network[connection.network].append(connection)
    return render(
        request,
        "publishing/accounts.html",
        {
            "networks": [(info, by_network[info.code]) for info in selectors.network_infos()],
            "bluesky_form": BlueskyForm(),
            "given": selectors.delegations_given(membership),
            "received": selectors.delegations_received(membership),
            "members": selectors.delegation_candidates(membership),
        },
    )


@require_POST
@member_view
def connect(request: HttpRequest, membership: Membership, network: str) -> HttpResponse:
    """Start the network's authorization; the member comes back to `callback`."""
    try:
        url = connections.connection_authorize_start(
            membership=membership,
            network=network,
            redirect_uri=callback_uri(request, network),
            instance=request.POST.get("instance", ""),
        )
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        for errors in exc.field_errors.values():
            for message in errors:
                messages.error(request, message)
        if not exc.field_errors:
            messages.error(request, exc.message)
        return redirect("publishing:accounts")
    # The network's own authorization page (its URL comes from our settings, not the request).
    return HttpResponseRedirect(url)


@member_view
def callback(request: HttpRequest, membership: Membership, network: str) -> HttpResponse:
    if network not in Network.ALL:
        raise Http404("Unknown network")
    try:
        made = connections.connection_authorize_finish(
            membership=membership,
            network=network,
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error", ""),
        )
    except PermissionDenied as exc:
        messages.error(request, exc.message)
        return redirect("publishing:accounts")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("publishing:accounts")
    for connection in made:
        messages.success(
            request,
            _("%(network)s account %(handle)s connected.")
            % {"network": connection.get_network_display(), "handle": connection.handle},
        )
    return redirect("publishing:accounts")


@require_POST
@member_view
def connect_bluesky(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = BlueskyForm(request.POST)
    if form.is_valid():
        try:
            connection = connections.connection_bluesky_connect(
                membership=membership,
                identifier=form.cleaned_data["identifier"],
                app_password=form.cleaned_data["app_password"],
                service=form.cleaned_data["service"],
            )
        except (PermissionDenied, NotFound):
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            for errors in exc.field_errors.values():
                for message in errors:
                    if message != exc.message:
                        messages.error(request, message)
        else:
            messages.success(
                request, _("Bluesky account %(handle)s connected.") % {"handle": connection.handle}
            )
    else:
        messages.error(request, _("Enter your handle and an app password."))
    return redirect("publishing:accounts")


@require_POST
@member_view
def disconnect(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    connections.connection_disconnect(membership=membership, connection_id=pk)
    messages.success(request, _("Disconnected: the tokens were deleted."))
    return redirect("publishing:accounts")


@require_POST
@member_view
def connection_kind(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    try:
        connections.connection_set_kind(
            membership=membership, connection_id=pk, kind=request.POST.get("kind", "")
        )
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("publishing:accounts")


@require_POST
@member_view
def delegate(request: HttpRequest, membership: Membership) -> HttpResponse:
    try:
        services.delegation_grant(
            executive=membership, assistant_id=int(request.POST.get("assistant") or 0)
        )
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your assistant can now prepare posts for you to approve."))
    return redirect("publishing:accounts")


@require_POST
@member_view
def undelegate(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    services.delegation_revoke(executive=membership, delegation_id=pk)
    messages.success(request, _("Delegation withdrawn."))
    return redirect("publishing:accounts")
