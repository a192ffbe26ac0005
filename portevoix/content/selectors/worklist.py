"""Reads for the content manager's home (workspace): what to act on (re-exported by
`content.selectors`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.tenancy import scoped

from ..models import ContentItem, State

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

from . import PUBLISHABLE_STATES, live_q


@dataclass(frozen=True)
class AuthorWorklist:
    drafts: list[ContentItem]  # the member's own drafts, last edited first
    drafts_count: int
    changes_requested: list[ContentItem]  # the member's own items sent back, oldest first
    changes_requested_count: int
    expiring: list[ContentItem]  # the organization's live items ending within `days`
    expiring_count: int


def author_worklist(
    *, membership: Membership, limit: int = 5, days: int = 7, now: dt.datetime | None = None
) -> AuthorWorklist:
    """The member's drafts and items with changes requested, and the organization's live
    items that expire within `days` (soonest first): four queries, whatever the size."""
    require(membership, "content.view_library")
    now = now or clock.now()
    items = scoped(ContentItem, membership.organization_id)
    mine = items.filter(author_id=membership.user_id)
    soon = Q(expire_at__gt=now, expire_at__lte=now + dt.timedelta(days=days)) & live_q(now)
    counts = items.aggregate(
        drafts=Count("pk", filter=Q(author_id=membership.user_id, state=State.DRAFT)),
        changes=Count("pk", filter=Q(author_id=membership.user_id, state=State.CHANGES_REQUESTED)),
        expiring=Count("pk", filter=soon),
    )
    return AuthorWorklist(
        drafts=list(mine.filter(state=State.DRAFT).order_by("-updated_at", "-pk")[:limit]),
        drafts_count=counts["drafts"],
        changes_requested=list(
            mine.filter(state=State.CHANGES_REQUESTED).order_by("updated_at", "pk")[:limit]
        ),
        changes_requested_count=counts["changes"],
        expiring=list(items.filter(soon).order_by("expire_at", "pk")[:limit]),
        expiring_count=counts["expiring"],
    )


def has_published_content(*, organization_id: int) -> bool:
    """Whether the organization has approved at least one item (live, scheduled or past):
    the "first content" step of the administrator's set-up checklist."""
    return (
        scoped(ContentItem, organization_id)
        .filter(state__in=(*PUBLISHABLE_STATES, State.EXPIRED))
        .exists()
    )
