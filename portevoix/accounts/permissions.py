"""The one place where permissions are checked: `can(membership, action, obj)`."""

from __future__ import annotations

from typing import Any

from portevoix.core.errors import PermissionDenied

from .models import AmbassadorProfile, Membership
from .roles import ALL_ACTIONS, MEMBER_ACTIONS, ROLE_ACTIONS, Role


def roles_of(membership: Membership | None) -> frozenset[str]:
    """Assigned roles, plus `ambassador` when the member has opted in. Cached per object."""
    if membership is None or not membership.is_active:
        return frozenset()
    cached = getattr(membership, "_roles_cache", None)
    if cached is not None:
        return cached
    roles = set(membership.role_rows.values_list("role", flat=True))
    roles.discard(Role.AMBASSADOR)  # only opting in makes an ambassador
    try:
        if membership.ambassador.opted_in:
            roles.add(Role.AMBASSADOR)
    except AmbassadorProfile.DoesNotExist:
        pass
    result = frozenset(roles)
    membership._roles_cache = result  # type: ignore[attr-defined]
    return result


def forget_roles(membership: Membership) -> None:
    if hasattr(membership, "_roles_cache"):
        del membership._roles_cache


def can(membership: Membership | None, action: str, obj: Any = None) -> bool:
    if action not in ALL_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if membership is None or not membership.is_active:
        return False
    if obj is not None and getattr(obj, "organization_id", membership.organization_id) != (
        membership.organization_id
    ):
        return False
    if action in MEMBER_ACTIONS:
        allowed = True
    else:
        allowed = any(action in ROLE_ACTIONS.get(role, ()) for role in roles_of(membership))
    if not allowed:
        return False
    # Object rules.
    approving = action in {"content.approve", "content.approve_final"}
    # Nobody approves their own item.
    return not (
        approving and obj is not None and getattr(obj, "author_id", None) == membership.user_id
    )


def require(membership: Membership | None, action: str, obj: Any = None) -> None:
    if not can(membership, action, obj):
        raise PermissionDenied(f"Not allowed: {action}")
