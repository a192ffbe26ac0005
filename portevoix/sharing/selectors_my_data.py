"""What sharing holds about one member, for their "My data" page and archive (privacy):
their shares, and their tracked links with their counted clicks (no visitor hash)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q

from portevoix.core.tenancy import scoped

from .models import Share, TrackedLink

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def my_data(membership: Membership) -> dict[str, list[dict[str, Any]]]:
    org_id = membership.organization_id
    shares = [
        {
            "id": s.pk,
            "content": s.item.title,
            "network": s.network,
            "text": s.text,
            "personalized": s.personalized,
            "state": s.state,
            "audience": s.audience,
            "created_at": s.created_at,
            "confirmed_at": s.confirmed_at,
            "published_at": s.published_at,
            "removed_at": s.removed_at,
        }
        for s in scoped(Share, org_id)
        .filter(membership=membership)
        .select_related("item")
        .order_by("created_at", "id")
    ]
    links = [
        {
            "id": link.pk,
            "code": link.code,
            "content": link.item.title,
            "network": link.network,
            "created_at": link.created_at,
            "clicks": link.click_count,
        }
        for link in scoped(TrackedLink, org_id)
        .filter(membership=membership)
        .select_related("item")
        .annotate(click_count=Count("clicks", filter=Q(clicks__counted=True)))
        .order_by("created_at", "id")
    ]
    return {"shares": shares, "tracked_links": links}
