"""Content that reached the feed lately: what a weekly summary lists (Slack and Teams)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from portevoix.core import clock
from portevoix.core.tenancy import scoped

from ..models import ContentItem
from . import live_q


def items_live_since(
    *, organization_id: int, since: dt.datetime, now: dt.datetime | None = None, limit: int = 50
) -> tuple[list[ContentItem], int]:
    """(the newest of them, how many in all): the organization's live items that went live
    after `since` (published at, or approved then when they have no publish-at time)."""
    now = now or clock.now()
    qs = (
        scoped(ContentItem, organization_id)
        .filter(live_q(now))
        .filter(Q(publish_at__gt=since) | Q(publish_at__isnull=True, updated_at__gt=since))
    )
    total = qs.count()
    return list(qs.order_by("-publish_at", "-updated_at", "-pk")[:limit]), total


def live_items(*, organization_id: int, limit: int = 200) -> list[ContentItem]:
    """The organization's live items, newest first (what a signature banner may link to)."""
    return list(
        scoped(ContentItem, organization_id)
        .filter(live_q(clock.now()))
        .order_by("-publish_at", "-updated_at", "-pk")[:limit]
    )
