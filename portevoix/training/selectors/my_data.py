"""What training holds about one member, for their "My data" page and archive (privacy):
their certificates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portevoix.core.tenancy import scoped

from ..models import Certificate

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def my_data(membership: Membership) -> dict[str, list[dict[str, Any]]]:
    certificates = [
        {
            "course": c.course_title,
            "holder_name": c.holder_name,
            "score": c.score,
            "public_id": c.public_id,
            "issued_at": c.issued_at,
            "revoked_at": c.revoked_at,
        }
        for c in scoped(Certificate, membership.organization_id)
        .filter(membership=membership)
        .order_by("issued_at", "id")
    ]
    return {"certificates": certificates}
