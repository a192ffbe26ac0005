"""Personal API tokens: create, revoke, authenticate."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection
from dataclasses import dataclass

from django.db import IntegrityError
from django.utils.translation import gettext as _

from portevoix.core import clock
from portevoix.core.api_access import AREA_CODES, TokenGrant
from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.core.tenancy import scoped

from ..models import (
    ApiToken,
    Membership,
)
from ..permissions import require
from .common import secret_hash

# --- API tokens


@dataclass
class IssuedToken:
    token: ApiToken
    secret: str


def api_token_create(
    *,
    membership: Membership,
    name: str,
    can_write: bool = True,
    areas: Collection[str] | None = None,
) -> IssuedToken:
    """A new token: read-write or read-only, on every area (`areas` None) or on the given
    areas of the API (codes of `core.api_access.API_AREAS`)."""
    require(membership, "token.manage_own")
    name = name.strip()[:80]
    if not name:
        raise DomainError(_("Name the token."), field_errors={"name": [_("Required.")]})
    if areas is not None:
        unknown = set(areas) - AREA_CODES
        if not areas or unknown:
            raise DomainError(
                _("Choose at least one area of the API."),
                field_errors={"areas": [_("Choose at least one area of the API.")]},
            )
    secret = "pv_" + secrets.token_urlsafe(32)
    for _attempt in range(3):
        try:
            token = ApiToken.objects.create(
                organization=membership.organization,
                user=membership.user,
                name=name,
                prefix=secret[:10],
                token_hash=secret_hash(secret),
                can_write=can_write,
                all_areas=areas is None,
                areas=sorted(set(areas)) if areas is not None else [],
            )
            return IssuedToken(token=token, secret=secret)
        except IntegrityError:  # pragma: no cover - a 256-bit collision
            secret = "pv_" + secrets.token_urlsafe(32)
    raise Conflict("could not create a token")


def api_token_revoke(*, membership: Membership, token: ApiToken) -> None:
    if token.user_id != membership.user_id or token.organization_id != membership.organization_id:
        raise NotFound(_("Not found."))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])


def api_token_authenticate(secret: str) -> Membership | None:
    """The membership a bearer token acts as, or None. Touches last_used_at at most hourly."""
    grant = api_token_resolve(secret)
    return None if grant is None else grant.membership


def api_token_resolve(secret: str) -> TokenGrant | None:
    """What a bearer token may do (its membership and scopes), or None. Touches
    last_used_at at most hourly. The API's `TokenAuth` calls this."""
    if not secret or not secret.startswith("pv_"):
        return None
    try:
        token = ApiToken.objects.select_related("organization", "user").get(
            token_hash=secret_hash(secret), revoked_at__isnull=True
        )
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active:
        return None
    membership = (
        scoped(Membership, token.organization)
        .select_related("organization", "user")
        .filter(user=token.user, is_active=True)
        .first()
    )
    if membership is None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(hours=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return TokenGrant(
        token_id=token.pk,
        membership=membership,
        can_write=token.can_write,
        areas=None if token.all_areas else frozenset(token.areas or ()),
    )
