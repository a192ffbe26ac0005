"""Reads of the publishing app for the content calendar (planning)."""

from __future__ import annotations

import datetime as dt

from portevoix.core.tenancy import scoped

from ..models import Post, PostState

CALENDAR_POST_STATES = (PostState.AWAITING_APPROVAL, PostState.SCHEDULED, PostState.HELD)


def scheduled_posts_between(
    *,
    organization_id: int,
    start: dt.datetime,
    end: dt.datetime,
    campaign_id: int | None = None,
    topic_id: int | None = None,
    network: str | None = None,
    team_id: int | None = None,
    limit: int = 500,
) -> list[Post]:
    """Posts still to go out (waiting for approval, scheduled, held) at a time in
    [start, end), earliest first, with their item and member. One query."""
    qs = scoped(Post, organization_id).filter(
        state__in=CALENDAR_POST_STATES, scheduled_at__gte=start, scheduled_at__lt=end
    )
    if campaign_id:
        qs = qs.filter(item__campaign_id=campaign_id)
    if topic_id:
        qs = qs.filter(item__topics__id=topic_id)
    if network:
        qs = qs.filter(network=network)
    if team_id:
        qs = qs.filter(membership__teams__id=team_id)
    qs = qs.select_related("item", "membership__user").distinct()
    return list(qs.order_by("scheduled_at", "id")[:limit])
