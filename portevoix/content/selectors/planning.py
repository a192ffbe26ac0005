"""Reads for the content calendar (planning): what is live, scheduled or in review over a
period (re-exported by `content.selectors`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q
from django.db.models.functions import Coalesce

from portevoix.accounts.permissions import require
from portevoix.core.tenancy import scoped

from ..models import Campaign, ContentItem, State

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


CALENDAR_STATES = (State.IN_REVIEW, State.APPROVED, State.LIVE)


def calendar_items(
    *,
    membership: Membership,
    start: dt.datetime,
    end: dt.datetime,
    campaign_id: int | None = None,
    topic_id: int | None = None,
    network: str | None = None,
    team_id: int | None = None,
    limit: int = 500,
) -> list[ContentItem]:
    """Items in review, approved or live whose live period (publish-at, or the moment they
    went live, to expire-at) meets [start, end), earliest first, with their campaign. The
    team filter keeps the items written by the team's members. One query."""
    require(membership, "content.view_library")
    qs = (
        scoped(ContentItem, membership.organization)
        .filter(state__in=CALENDAR_STATES)
        .annotate(starts_at=Coalesce("publish_at", "live_at"))
        .filter(starts_at__lt=end)
        .filter(Q(expire_at__isnull=True, starts_at__gte=start) | Q(expire_at__gt=start))
        .select_related("campaign")
    )
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if topic_id:
        qs = qs.filter(topics__id=topic_id)
    if network:
        qs = qs.filter(copies__network=network)
    if team_id:
        qs = qs.filter(
            author__memberships__organization_id=membership.organization_id,
            author__memberships__teams__id=team_id,
        )
    return list(qs.distinct().order_by("starts_at", "id")[:limit])


def campaigns_between(
    *, membership: Membership, start: dt.date, end: dt.date, campaign_id: int | None = None
) -> list[Campaign]:
    """Campaigns with dates that meet [start, end] (a missing end: one day), by start."""
    require(membership, "content.view_library")
    qs = scoped(Campaign, membership.organization).filter(
        starts_on__isnull=False, starts_on__lte=end
    )
    qs = qs.filter(Q(ends_on__gte=start) | Q(ends_on__isnull=True, starts_on__gte=start))
    if campaign_id:
        qs = qs.filter(pk=campaign_id)
    return list(qs.order_by("starts_on", "name")[:100])
