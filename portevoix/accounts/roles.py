"""Roles are data: which role may do which action. `permissions.can()` reads this table."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class Role:
    ADMIN = "admin"
    CONTENT_MANAGER = "content_manager"
    APPROVER = "approver"
    FINAL_APPROVER = "final_approver"
    COMMUNITY_MANAGER = "community_manager"
    ANALYST = "analyst"
    EXECUTIVE = "executive"
    # Never assigned by anyone: a member becomes an ambassador only by opting in.
    AMBASSADOR = "ambassador"


ASSIGNABLE_ROLES = [
    (Role.ADMIN, _("Administrator")),
    (Role.CONTENT_MANAGER, _("Content manager")),
    (Role.APPROVER, _("Approver")),
    (Role.FINAL_APPROVER, _("Final approver")),
    (Role.COMMUNITY_MANAGER, _("Community manager")),
    (Role.ANALYST, _("Analyst")),
    (Role.EXECUTIVE, _("Executive")),
]
ALL_ROLES = [*ASSIGNABLE_ROLES, (Role.AMBASSADOR, _("Ambassador"))]
ROLE_LABELS = dict(ALL_ROLES)
ASSIGNABLE_ROLE_CODES = frozenset(code for code, _label in ASSIGNABLE_ROLES)

# Every member (any role, or none) may do these.
MEMBER_ACTIONS = frozenset(
    {
        "org.view",
        "ambassador.enrol",  # opt in / out of the programme, edit one's own profile
        "team.view",
        "member.view",
        "token.manage_own",
    }
)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            "org.manage",
            "member.invite",
            "member.manage",
            "team.manage",
            "content.view_library",
            "content.create",
            "content.edit",
            "content.submit",
            "content.archive",
            "content.view_history",
            "member.view_profiles",
            "taxonomy.manage",
        }
    ),
    Role.CONTENT_MANAGER: frozenset(
        {
            "content.view_library",
            "content.create",
            "content.edit",
            "content.submit",
            "content.archive",
            "content.view_history",
            "taxonomy.manage",
        }
    ),
    Role.APPROVER: frozenset(
        {
            "content.view_library",
            "content.approve",
            "content.request_changes",
            "content.view_history",
        }
    ),
    Role.FINAL_APPROVER: frozenset(
        {
            "content.view_library",
            "content.approve",
            "content.approve_final",
            "content.request_changes",
            "content.view_history",
        }
    ),
    Role.COMMUNITY_MANAGER: frozenset(
        {"content.view_library", "content.archive", "content.view_history", "member.view_profiles"}
    ),
    Role.ANALYST: frozenset({"content.view_library", "member.view_profiles"}),
    Role.EXECUTIVE: frozenset({"content.view_library"}),
    Role.AMBASSADOR: frozenset({"feed.view"}),
}

ALL_ACTIONS = frozenset(MEMBER_ACTIONS.union(*ROLE_ACTIONS.values()))
