"""What publishing holds about one member, for their "My data" page and archive (privacy):
their connected accounts (never a token) and the posts going out on them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portevoix.core.tenancy import scoped

from ..models import Connection, Post

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def my_data(membership: Membership) -> dict[str, list[dict[str, Any]]]:
    org_id = membership.organization_id
    connections = [
        {
            "network": c.network,
            "handle": c.handle,
            "display_name": c.display_name,
            "profile_url": c.profile_url,
            "kind": c.kind,
            "status": c.status,
        }
        for c in scoped(Connection, org_id).filter(membership=membership).order_by("id")
    ]
    posts = [
        {
            "id": p.pk,
            "content": p.item.title,
            "network": p.network,
            "text": p.text,
            "state": p.state,
            "state_label": str(p.get_state_display()),
            "scheduled_at": p.scheduled_at,
            "approved_at": p.approved_at,
            "published_at": p.published_at,
            "remote_url": p.remote_url,
            "created_at": p.created_at,
        }
        for p in scoped(Post, org_id)
        .filter(membership=membership)
        .select_related("item")
        .order_by("scheduled_at", "id")
    ]
    return {"connected_accounts": connections, "posts": posts}
