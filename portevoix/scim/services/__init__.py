"""Every write of directory provisioning (SCIM), re-exported from one module per subject."""

from .brake import (
    MIN_HELD,
    BrakeHeld,
    brake_allows,
    held_deactivations_decide,
    pending_deactivations,
)
from .groups import (
    directory_group,
    directory_groups,
    group_create,
    group_delete,
    group_replace,
    members_of,
)
from .groups import link_of as group_link_of
from .settings import (
    TOKEN_PREFIX,
    IssuedDirectoryToken,
    directory_settings_of,
    directory_settings_update,
    directory_token_authenticate,
    directory_token_create,
    directory_token_revoke,
)
from .users import directory_user, directory_users, link_of, user_create, user_delete, user_replace

__all__ = [
    "MIN_HELD",
    "TOKEN_PREFIX",
    "BrakeHeld",
    "IssuedDirectoryToken",
    "brake_allows",
    "directory_group",
    "directory_groups",
    "directory_settings_of",
    "directory_settings_update",
    "directory_token_authenticate",
    "directory_token_create",
    "directory_token_revoke",
    "directory_user",
    "directory_users",
    "group_create",
    "group_delete",
    "group_link_of",
    "group_replace",
    "held_deactivations_decide",
    "link_of",
    "members_of",
    "pending_deactivations",
    "user_create",
    "user_delete",
    "user_replace",
]
