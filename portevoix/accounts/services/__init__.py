"""Every write about organizations, people, roles, teams, invitations and enrolment.

One module per subject; the public names are re-exported here, so
`from portevoix.accounts import services` / `services.team_create(...)` keep working.
"""

from .directory import (
    DirectoryOutcome,
    DirectoryPerson,
    directory_member_sync,
    directory_user,
    organization_remember,
)
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
from .teams import team_create, team_delete, team_update
from .tokens import IssuedToken, api_token_authenticate, api_token_create, api_token_revoke
from .two_factor import (
    RECOVERY,
    RECOVERY_CODE_COUNT,
    TOTP,
    TwoFactorSetup,
    recovery_codes_left,
    recovery_codes_regenerate,
    two_factor_begin,
    two_factor_confirm,
    two_factor_device,
    two_factor_disable,
    two_factor_enabled,
    two_factor_login_user,
    two_factor_pending_setup,
    two_factor_verify,
)
from .visibility import MAX_PSEUDONYM, default_visibility_set, visibility_set
from .visits import FEED_SEEN_PRECISION, FEED_SESSION_GAP, ambassador_feed_visit

__all__ = [
    "FEED_SEEN_PRECISION",
    "FEED_SESSION_GAP",
    "MAX_APPROVALS",
    "MAX_PSEUDONYM",
    "ORGANIZATION_LANGUAGES",
    "RECOVERY",
    "RECOVERY_CODE_COUNT",
    "TOTP",
    "DirectoryOutcome",
    "DirectoryPerson",
    "EnrolmentData",
    "FirstRun",
    "IssuedInvitation",
    "IssuedToken",
    "PresenceData",
    "TwoFactorSetup",
    "ambassador_feed_visit",
    "ambassador_opt_in",
    "ambassador_opt_out",
    "ambassador_update",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "default_visibility_set",
    "directory_member_sync",
    "directory_user",
    "invitation_accept",
    "invitation_by_token",
    "invitation_create",
    "invitation_email_send",
    "invitation_revoke",
    "login_unlock",
    "membership_add",
    "membership_update",
    "organization_create",
    "organization_first_run",
    "organization_remember",
    "organization_update",
    "password_reset_done",
    "password_reset_email_send",
    "password_reset_request",
    "password_reset_url",
    "recovery_codes_left",
    "recovery_codes_regenerate",
    "team_create",
    "team_delete",
    "team_update",
    "time_zones",
    "two_factor_begin",
    "two_factor_confirm",
    "two_factor_device",
    "two_factor_disable",
    "two_factor_enabled",
    "two_factor_login_user",
    "two_factor_pending_setup",
    "two_factor_verify",
    "user_time_zone_set",
    "visibility_set",
]
