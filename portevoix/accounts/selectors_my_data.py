"""What accounts holds about one member, for their "My data" page and archive (privacy).

Plain tables: each a list of rows (dicts of plain values). Never a secret: API tokens by
name and dates only (no prefix, no hash), two-step verification by whether it is on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portevoix.core.tenancy import scoped

from .models import AmbassadorProfile, ApiToken, ConsentEvent, NetworkPresence, TotpDevice

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
