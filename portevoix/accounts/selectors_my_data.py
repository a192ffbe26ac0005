"""What accounts holds about one member, for their "My data" page and archive (privacy),
and the people who left, for their erasure (privacy, docs/decisions/0022-erasure.md).

Plain tables: each a list of rows (dicts of plain values). Never a secret: API tokens by
name and dates only (no prefix, no hash), two-step verification by whether it is on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from portevoix.core.tenancy import get_scoped, scoped

from .models import (
    AmbassadorProfile,
    ApiToken,
    ConsentEvent,
    NetworkPresence,
    Organization,
    TotpDevice,
)

if TYPE_CHECKING:
    from portevoix.core.tenancy import scoped

from .models import Membership


def my_data(membership: Membership) -> dict[str, list[dict[str, Any]]]:
    """The member's own account rows, in this organization only."""
    user = membership.user
    profile = (
        AmbassadorProfile.objects.filter(membership=membership)
        .prefetch_related("interests")
        .first()
    )
    account = {
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "time_zone": user.time_zone,
        "organization": membership.organization.name,
        "job_title": membership.title,
        "teams": ", ".join(sorted(t.name for t in membership.teams.all())),
        "roles": ", ".join(sorted(r.role for r in membership.role_rows.all())),
        "active": membership.is_active,
        "joined_at": membership.joined_at,
        "two_step_verification": TotpDevice.objects.filter(user=user).exists(),
    }
    ambassador: list[dict[str, Any]] = []
    presences: list[dict[str, Any]] = []
    if profile is not None:
        ambassador.append(
            {
                "opted_in": profile.opted_in,
                "opted_in_at": profile.opted_in_at,
                "opted_out_at": profile.opted_out_at,
                "interests": ", ".join(sorted(t.name for t in profile.interests.all())),
                "languages": ", ".join(profile.languages or []),
                "help_with": ", ".join(profile.help_with or []),
                "visibility": profile.visibility,
                "pseudonym": profile.pseudonym,
            }
        )
        presences = [
            {
                "network": p.network,
                "handle": p.handle,
                "instance": p.instance,
                "audience": p.audience,
            }
            for p in NetworkPresence.objects.filter(profile=profile).order_by("network")
        ]
    consents = [
        {"kind": c.kind, "at": c.at}
        for c in scoped(ConsentEvent, membership.organization_id).filter(membership=membership)
    ]
    tokens = [
        {
            "name": t.name,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
        }
        for t in scoped(ApiToken, membership.organization_id)
        .filter(user_id=membership.user_id)
        .order_by("created_at", "id")
    ]
    return {
        "account": [account],
        "ambassador_profile": ambassador,
        "network_presences": presences,
        "consents": consents,
        "api_tokens": tokens,
    }


@dataclass(frozen=True)
class Leaver:
    """A person who left and whose data is not erased yet, and when the job will erase it
    (None: the organization erases only on request)."""

    membership_id: int
    name: str
    email: str
    left_at: dt.datetime | None
    erase_on: dt.datetime | None


def leavers(*, organization: Organization) -> list[Leaver]:
    """The organization's people who left and are not erased yet, who left first first."""
    days = organization.erase_after_days
    rows = (
        scoped(Membership, organization)
        .filter(is_active=False, erased_at__isnull=True)
        .select_related("user")
        .order_by("left_at", "pk")
    )
    return [
        Leaver(
            membership_id=m.pk,
            name=m.user.display_name,
            email=m.user.email,
            left_at=m.left_at,
            erase_on=m.left_at + dt.timedelta(days=days) if (days and m.left_at) else None,
        )
        for m in rows
    ]


def leaver(*, organization: Organization, membership_id: int) -> Membership:
    """One person of the organization (NotFound for anyone else's), for the erasure page."""
    return get_scoped(Membership.objects.select_related("user"), organization, pk=membership_id)


def leavers_due(*, now: dt.datetime) -> list[Membership]:
    """Everyone, in every organization that erases automatically, who left more than its
    delay ago and is not erased yet (the periodic erasure)."""
    due: list[Membership] = []
    for organization in Organization.objects.filter(erase_after_days__gt=0).only(
        "pk", "erase_after_days"
    ):
        limit = now - dt.timedelta(days=organization.erase_after_days)
        due += list(
            scoped(Membership, organization).filter(
                is_active=False, erased_at__isnull=True, left_at__lte=limit
            )
        )
    return due
