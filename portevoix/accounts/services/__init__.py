"""Every write about organizations, people, roles, teams, invitations and enrolment.

One module per subject; the public names are re-exported here, so
`from portevoix.accounts import services` / `services.team_create(...)` keep working.
"""

from .enrolment import (
    EnrolmentData,
    PresenceData,
    ambassador_opt_in,
    ambassador_opt_out,
    ambassador_update,
)
from .first_run import FirstRun, organization_first_run
from .invitations import (
    IssuedInvitation,
    invitation_accept,
    invitation_by_token,
    invitation_create,
    invitation_email_send,
    invitation_revoke,
)
from .me import time_zones, user_time_zone_set
from .members import membership_add, membership_update
from .organizations import (
    MAX_APPROVALS,
    ORGANIZATION_LANGUAGES,
    organization_create,
    organization_update,
)
from .passwords import (
    login_unlock,
    password_reset_done,
    password_reset_email_send,
    password_reset_request,
    password_reset_url,
)
from .provisioning import (
    DEPROVISION_REASON,
    ambassador_status,
    directory_active_count,
    directory_members,
    directory_team_create,
    directory_team_delete,
    directory_team_member_ids,
    directory_team_members_set,
    directory_team_rename,
    directory_teams,
    directory_user_org_count,
    member_deprovision,
    member_identity_update,
    member_provision,
    member_reactivate,
)
from .teams import team_create, team_delete, team_update
from .tokens import IssuedToken, api_token_authenticate, api_token_create, api_token_revoke
from .visibility import MAX_PSEUDONYM, default_visibility_set, visibility_set
from .visits import FEED_SEEN_PRECISION, FEED_SESSION_GAP, ambassador_feed_visit

__all__ = [
    "DEPROVISION_REASON",
    "FEED_SEEN_PRECISION",
    "FEED_SESSION_GAP",
    "MAX_APPROVALS",
    "MAX_PSEUDONYM",
    "ORGANIZATION_LANGUAGES",
    "EnrolmentData",
    "FirstRun",
    "IssuedInvitation",
    "IssuedToken",
    "PresenceData",
    "ambassador_feed_visit",
    "ambassador_opt_in",
    "ambassador_opt_out",
    "ambassador_status",
    "ambassador_update",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "default_visibility_set",
    "directory_active_count",
    "directory_members",
    "directory_team_create",
    "directory_team_delete",
    "directory_team_member_ids",
    "directory_team_members_set",
    "directory_team_rename",
    "directory_teams",
    "directory_user_org_count",
    "invitation_accept",
    "invitation_by_token",
    "invitation_create",
    "invitation_email_send",
    "invitation_revoke",
    "login_unlock",
    "member_deprovision",
    "member_identity_update",
    "member_provision",
    "member_reactivate",
    "membership_add",
    "membership_update",
    "organization_create",
    "organization_first_run",
    "organization_update",
    "password_reset_done",
    "password_reset_email_send",
    "password_reset_request",
    "password_reset_url",
    "team_create",
    "team_delete",
    "team_update",
    "time_zones",
    "user_time_zone_set",
    "visibility_set",
]
