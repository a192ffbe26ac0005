"""Reads of the directory provisioning settings page (admins only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portevoix.accounts.permissions import require
from portevoix.core.tenancy import scoped

from .models import Deactivation, DirectorySettings, DirectoryToken
from .services import directory_settings_of


@dataclass
class DirectoryOverview:
    tokens: list[DirectoryToken]
    settings: DirectorySettings
    pending: list[Deactivation]


def directory_overview(*, membership: Any) -> DirectoryOverview:
    require(membership, "scim.manage")
    organization = membership.organization
    return DirectoryOverview(
        tokens=list(scoped(DirectoryToken, organization).filter(revoked_at__isnull=True)),
        settings=directory_settings_of(organization),
        pending=list(
            scoped(Deactivation, organization)
            .filter(status=Deactivation.Status.PENDING)
            .select_related("membership__user")
        ),
    )


def directory_token(*, membership: Any, pk: int) -> DirectoryToken | None:
    require(membership, "scim.manage")
    return scoped(DirectoryToken, membership.organization).filter(pk=pk).first()
