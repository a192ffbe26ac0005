"""What recognition holds about one member, for their "My data" page and archive
(privacy): the points ledger and the badges they earned."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portevoix.core.tenancy import scoped

from ..models import BadgeAward, PointEntry

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def my_data(membership: Membership) -> dict[str, list[dict[str, Any]]]:
    org_id = membership.organization_id
    points = [
        {
            "rule": e.rule,
            "points": e.lifetime,
            "spendable": e.spendable,
            "network": e.network,
            "at": e.at,
        }
        for e in scoped(PointEntry, org_id).filter(membership=membership).order_by("at", "id")
    ]
    badges = [
        {"badge": str(a.badge.label), "earned_at": a.earned_at}
        for a in scoped(BadgeAward, org_id)
        .filter(membership=membership)
        .select_related("badge")
        .order_by("earned_at", "id")
    ]
    return {"points": points, "badges": badges}
