"""The directory's tokens and its brake setting, managed by an admin on the settings page."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.core.tenancy import scoped
from portevoix.governance import gates

from ..models import DirectorySettings, DirectoryToken

TOKEN_PREFIX = "pvscim_"  # noqa: S105 - the secrets' visible prefix, not a secret


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class IssuedDirectoryToken:
    token: DirectoryToken
    secret: str


@transaction.atomic
def directory_token_create(*, membership: Any, name: str) -> IssuedDirectoryToken:
    """A new bearer token for the organization's identity provider; its secret is returned
    once and only its hash is kept."""
    require(membership, "scim.manage")
    name = name.strip()[:80]
    if not name:
        raise DomainError(_("Name the token."), field_errors={"name": [_("Required.")]})
    for _attempt in range(3):
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                token = DirectoryToken.objects.create(
                    organization=membership.organization,
                    name=name,
                    prefix=secret[: len(TOKEN_PREFIX) + 4],
                    token_hash=secret_hash(secret),
                    created_by=membership.user,
                )
        except IntegrityError:  # pragma: no cover - a 256-bit collision
            continue
        gates.audit_record(
            organization=membership.organization,
            actor=membership,
            action="scim.token_create",
            object_type="scim.token",
            object_id=token.pk,
            before=None,
            after={"name": name, "prefix": token.prefix},
        )
        return IssuedDirectoryToken(token=token, secret=secret)
    raise Conflict("could not create a token")  # pragma: no cover


@transaction.atomic
def directory_token_revoke(*, membership: Any, token_id: int) -> None:
    require(membership, "scim.manage")
    token = scoped(DirectoryToken, membership.organization).filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("Not found."))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        gates.audit_record(
            organization=membership.organization,
            actor=membership,
            action="scim.token_revoke",
            object_type="scim.token",
            object_id=token.pk,
            before={"revoked": False},
            after={"revoked": True},
        )


def directory_token_authenticate(secret: str) -> Any | None:
    """The organization a bearer secret opens, or None. Touches last_used_at hourly."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        DirectoryToken.objects.select_related("organization")
        .filter(token_hash=secret_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 3600:
        DirectoryToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.organization


def directory_settings_of(organization: Any) -> DirectorySettings:
    found = scoped(DirectorySettings, organization).first()
    return found or DirectorySettings(organization=organization)


@transaction.atomic
def directory_settings_update(*, membership: Any, brake_percent: int, window_hours: int) -> None:
    require(membership, "scim.manage")
    errors = {}
    if not 1 <= brake_percent <= 100:
        errors["brake_percent"] = [_("Enter a share between 1 and 100 %.")]
    if not 1 <= window_hours <= 720:
        errors["brake_window_hours"] = [_("Enter a number of hours between 1 and 720.")]
    if errors:
        raise DomainError(_("The brake setting has errors."), field_errors=errors)
    current = directory_settings_of(membership.organization)
    before = {"percent": current.brake_percent, "hours": current.brake_window_hours}
    after = {"percent": brake_percent, "hours": window_hours}
    if before == after and current.pk:
        return
    DirectorySettings.objects.update_or_create(
        organization=membership.organization,
        defaults={"brake_percent": brake_percent, "brake_window_hours": window_hours},
    )
    gates.audit_record(
        organization=membership.organization,
        actor=membership,
        action="scim.settings_update",
        object_type="scim.settings",
        object_id=membership.organization_id,
        before=before,
        after=after,
    )
