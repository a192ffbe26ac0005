"""The organization's two-step verification policy, and the QR code of the set-up page.

An organization may require two-step verification of its administrators
(`Organization.two_factor_required_for_admins`). An administrator of such an organization
(the one they work in) who has not turned it on is sent to the Security page before
anything else: only that page, logging out and the language switch stay open
(`TwoFactorPolicyMiddleware`, after `CurrentOrganizationMiddleware`). Everyone else pays
nothing: the check reads the organization already loaded and the cached roles, and asks the
database only for an administrator of an organization with the policy on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portevoix.core.web import current_membership

from .models import Membership, TotpDevice
from .permissions import roles_of
from .roles import Role
from .services.directory import SSO_LOGIN_SESSION_KEY

# Where an administrator who must set up two-step verification may still go.
OPEN_URL_NAMES = frozenset(
    {
        "accounts:security",
        "accounts:security_setup",
        "accounts:logout",
        "set_language",
        "manifest",
        "service_worker",
        "offline",
        "healthz",
        "sharing:short_link",  # a tracked link is public: it redirects anyone
    }
)


def must_set_up(membership: Membership | None) -> bool:
    """Whether the member is an administrator of an organization that requires two-step
    verification of its administrators, and has not turned it on."""
    if membership is None or not membership.organization.two_factor_required_for_admins:
        return False
    if Role.ADMIN not in roles_of(membership):
        return False
    return not TotpDevice.objects.filter(
        user_id=membership.user_id, confirmed_at__isnull=False
    ).exists()


class TwoFactorPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        """Checked once the address is resolved (Django's own resolution, not a second
        one): an address no view answers never gets here, the open ones read no session."""
        match = request.resolver_match
        if match is None or match.view_name in OPEN_URL_NAMES:
            return None
        if not request.user.is_authenticated:
            return None
        membership = current_membership(request)
        if (
            membership is not None
            and request.session.get(SSO_LOGIN_SESSION_KEY) != membership.organization_id
            and must_set_up(membership)
        ):
            messages.warning(
                request,
                _(
                    "%(org)s asks its administrators to use two-step verification: "
                    "set it up to go on."
                )
                % {"org": membership.organization.name},
            )
            return redirect("accounts:security")
        return None


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as an inline SVG (drawn here, on the server: no script), with a
    title for screen readers."""
    return str(
        segno.make(uri, error="m").svg_inline(
            scale=4,
            border=2,
            dark="#000",
            light="#fff",
            title=_("QR code for your authenticator app"),
        )
    )
