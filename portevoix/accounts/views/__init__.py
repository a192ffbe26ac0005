"""Web pages of accounts: organizations, people, roles, teams, invitations, enrolment, tokens.

Views only parse, authorize (`permissions.can` / `require`), call a service or a selector,
and render. Organization-owned rows are reached through the selectors, so another
organization's objects give 404.
"""

from .invitations import invitation_accept, invitation_revoke, invite
from .me import enrol, enrol_withdraw, me, token_revoke, tokens
from .organization import dashboard, org_settings, org_switch, settings_hub
from .people import member_detail, member_unlock, members
from .teams import team_delete, team_detail, teams

__all__ = [
    "dashboard",
    "enrol",
    "enrol_withdraw",
    "invitation_accept",
    "invitation_revoke",
    "invite",
    "me",
    "member_detail",
    "member_unlock",
    "members",
    "org_settings",
    "org_switch",
    "settings_hub",
    "team_delete",
    "team_detail",
    "teams",
    "token_revoke",
    "tokens",
]
