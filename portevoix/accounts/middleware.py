"""Attach the current organization and membership to each request.

The organization is chosen by the user (stored in the session) among their memberships;
every view then reaches organization-owned rows only through `request.organization`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from . import current, frame, selectors
from .models import Membership
from .permissions import roles_of

SESSION_KEY = current.ORGANIZATION_SESSION_KEY


def _membership(request: HttpRequest) -> Membership | None:
    if not request.user.is_authenticated:
        return None
    if not hasattr(request, "_cached_membership"):
        membership = selectors.membership_for(
            request.user, request.session.get(SESSION_KEY), frame_versions=True
        )
        if membership is not None:
            # The roles from the member's page frame (accounts/frame.py): a role change or
            # an opt-in moves the member's version, so this is never stale.
            membership._roles_cache = frame.cached(  # type: ignore[attr-defined]
                membership, "roles", lambda: roles_of(membership)
            )
        request._cached_membership = membership  # type: ignore[attr-defined]
    return request._cached_membership  # type: ignore[attr-defined]


class CurrentOrganizationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = SimpleLazyObject(lambda: _membership(request))  # type: ignore[attr-defined]
        request.organization = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: m.organization if (m := _membership(request)) else None
        )
        # The signed-in user's read brings their membership along (accounts/current.py).
        with current.reading(getattr(request, "session", None)):
            return self.get_response(request)
