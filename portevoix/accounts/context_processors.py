from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .middleware import _membership
from .navigation import navigation_for
from .permissions import can, roles_of
from .roles import ROLE_LABELS


class _Perms:
    """`{{ perms_here.content_create }}` in templates -> can(membership, "content.create")."""

    def __init__(self, membership: Any):
        self.membership = membership

    def __getitem__(self, key: str) -> bool:
        return can(self.membership, key.replace("_", ".", 1))

    def __getattr__(self, key: str) -> bool:
        if key.startswith("__"):
            raise AttributeError(key)
        return self[key]


def organization(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership = _membership(request)
    if membership is None:
        return {"current_membership": None}
    roles = roles_of(membership)
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match else ""
    return {
        "current_membership": membership,
        "current_org": membership.organization,
        "current_roles": roles,
        "current_role_labels": [ROLE_LABELS[r] for r in sorted(roles)],
        "perms_here": _Perms(membership),
        # The app shell's groups, tabs and personal links, computed when a template uses them.
        "nav": SimpleLazyObject(lambda: navigation_for(membership, here)),
    }
