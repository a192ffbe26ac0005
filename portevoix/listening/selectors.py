"""Reads of listening: the vigilance inbox (mentions by monitor, filtered), the monitors
and feeds of the organization, one of each (404 across organizations)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q

from portevoix.accounts.permissions import require
from portevoix.core.tenancy import get_scoped, scoped

from .models import Feed, Mention, MentionStatus, Monitor

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

INBOX_SIZE = 100


@dataclass(frozen=True)
class InboxFilters:
    monitor_id: int | None = None
    network: str = ""
    status: str = MentionStatus.NEW


def monitors(*, membership: Membership, action: str = "listening.view") -> list[Monitor]:
    """The organization's monitors with their count of new mentions."""
    require(membership, action)
    return list(
        scoped(Monitor, membership.organization_id)
        .annotate(new_count=Count("mentions", filter=Q(mentions__status=MentionStatus.NEW)))
        .order_by("name", "pk")
    )


def networks(*, membership: Membership) -> list[str]:
    require(membership, "listening.view")
    rows = scoped(Mention, membership.organization_id).order_by("network")
    return list(rows.values_list("network", flat=True).distinct())


def inbox(*, membership: Membership, filters: InboxFilters) -> list[Mention]:
    """The latest mentions that pass the filters, newest first, with their monitors."""
    require(membership, "listening.view")
    rows = scoped(Mention, membership.organization_id)
    if filters.monitor_id:
        rows = rows.filter(monitors__id=filters.monitor_id)
    if filters.network:
        rows = rows.filter(network=filters.network)
    if filters.status:
        rows = rows.filter(status=filters.status)
    own_monitors = scoped(Monitor, membership.organization_id).order_by("name")
    return list(
        rows.prefetch_related(Prefetch("monitors", queryset=own_monitors)).order_by(
            "-published_at", "-pk"
        )[:INBOX_SIZE]
    )


def mention_of(*, membership: Membership, pk: int) -> Mention:
    mention = get_scoped(Mention, membership.organization_id, pk=pk)
    require(membership, "listening.view", mention)
    return mention


def monitor_of(*, membership: Membership, pk: int) -> Monitor:
    monitor = get_scoped(Monitor, membership.organization_id, pk=pk)
    require(membership, "listening.manage", monitor)
    return monitor


def feeds(*, membership: Membership) -> list[Feed]:
    require(membership, "listening.manage")
    return list(scoped(Feed, membership.organization_id).order_by("url", "pk"))


def feed_of(*, membership: Membership, pk: int) -> Feed:
    feed = get_scoped(Feed, membership.organization_id, pk=pk)
    require(membership, "listening.manage", feed)
    return feed
