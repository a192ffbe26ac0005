"""What published posts earned, and how many followers connected accounts have.

`sync_engagement` reads the metrics of recent posts, per connection and in batches (one call
for up to 100 tweets, 25 Bluesky posts...), keeps a snapshot when a figure changed, and adds
the change to the rollups in the same transaction (so the dashboards always equal a recount
of the latest snapshots). `sync_followers` stores each connected account's follower count,
which then replaces the declared audience in potential reach.

Networks that give no figures to an app like ours (LinkedIn member posts) are skipped, and
the UI says so instead of showing zeros.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q

from portevoix import networks as connectors
from portevoix.analytics import rollups
from portevoix.core import clock
from portevoix.networks.base import AuthError, ConnectorError, Metrics, RateLimited
from portevoix.sharing.selectors import local_day

from . import connections, selectors, signals
from .models import Connection, ConnectionStatus, EngagementSnapshot, Post, PostState

if TYPE_CHECKING:
    from portevoix.sharing.models import Share

logger = logging.getLogger("portevoix.publishing")

SYNC_WINDOW = dt.timedelta(days=30)
MIN_INTERVAL = dt.timedelta(minutes=20)


Figures = tuple[int | None, int | None, int | None, int | None, int | None]


def _figures(snapshot: EngagementSnapshot | Metrics | None) -> Figures | None:
    if snapshot is None:
        return None
    return (
        snapshot.likes,
        snapshot.replies,
        snapshot.reposts,
        snapshot.quotes,
        snapshot.impressions,
    )


@transaction.atomic
def snapshot_record(*, post: Post, metrics: Metrics, at: dt.datetime | None = None) -> bool:
    """Keep a snapshot if a figure changed; count the change in the rollups. True if kept."""
    at = at or clock.now()
    previous = selectors.post_latest_snapshot(post.pk)
    current = _figures(metrics)
    assert current is not None
    Post.objects.filter(pk=post.pk).update(last_synced_at=at)
    if previous is not None and _figures(previous) == current:
        return False
    snapshot = EngagementSnapshot.objects.create(
        organization_id=post.organization_id,
        post=post,
        at=at,
        likes=metrics.likes,
        replies=metrics.replies,
        reposts=metrics.reposts,
        quotes=metrics.quotes,
        impressions=metrics.impressions,
    )
    share: Share | None = post.share
    if share is not None:
        delta = rollups.engagement_delta(_figures(previous), current)
        if any(delta.values()):
            rollups.rollup_add(
                organization_id=post.organization_id,
                day=local_day(share.created_at),
                item_id=share.item_id,
                campaign_id=post.item.campaign_id,
                membership_id=share.membership_id,
                network=share.network,
                engagements=delta["engagements"],
                impressions=delta["impressions"],
                impression_engagements=delta["impression_engagements"],
            )
        _announce_engagement(post, share, previous, snapshot, at)
    return True


def _increase(now: int | None, before: int | None) -> int:
    return max(0, (now or 0) - (before or 0))


def _announce_engagement(
    post: Post,
    share: Share,
    previous: EngagementSnapshot | None,
    snapshot: EngagementSnapshot,
    at: dt.datetime,
) -> None:
    def before(name: str) -> int | None:
        return getattr(previous, name) if previous is not None else None

    signals.engagement_changed.send(
        sender=Post,
        organization_id=post.organization_id,
        membership_id=share.membership_id,
        share_id=share.pk,
        snapshot_id=snapshot.pk,
        network=share.network,
        at=at,
        likes=_increase(snapshot.likes, before("likes")),
        reposts=_increase(snapshot.reposts, before("reposts"))
        + _increase(snapshot.quotes, before("quotes")),
        comments=_increase(snapshot.replies, before("replies")),
    )


def engagement_sync(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """One pass over recent published posts (the least recently synced first)."""
    now = now or clock.now()
    posts = list(
        Post.objects.filter(
            state=PostState.PUBLISHED,
            published_at__gte=now - SYNC_WINDOW,
            connection__status=ConnectionStatus.ACTIVE,
        )
        .filter(Q(last_synced_at__isnull=True) | Q(last_synced_at__lte=now - MIN_INTERVAL))
        .exclude(remote_id="")
        .filter(deleted_at__isnull=True)
        .select_related("connection", "share", "item")
        .order_by("last_synced_at", "published_at")[:limit]
    )
    by_connection: dict[int, list[Post]] = defaultdict(list)
    for post in posts:
        if post.connection is not None:
            by_connection[post.connection.pk].append(post)
    kept = 0
    for group in by_connection.values():
        connection = group[0].connection
        assert connection is not None
        connector = connectors.get(connection.network)
        if not connector.supports_metrics:
            Post.objects.filter(pk__in=[p.pk for p in group]).update(last_synced_at=now)
            continue
        try:
            ctx = connections.connection_refresh(connection=connection)
            metrics = connector.fetch_metrics(ctx, [p.remote_id for p in group])
        except AuthError as exc:
            connections.connection_mark_needs_reconnect(
                connection_id=connection.pk, reason=exc.user_message
            )
            continue
        except RateLimited:
            logger.info("engagement_rate_limited connection=%s", connection.pk)
            continue
        except ConnectorError as exc:
            logger.warning(
                "engagement_failed connection=%s detail=%s", connection.pk, exc.detail[:300]
            )
            continue
        for post in group:
            found = metrics.get(post.remote_id)
            if found is None:
                # The connectors leave out of a successful answer the posts the network no
                # longer has (deleted, or no longer visible): what they earned goes back.
                post_gone(post=post, at=now)
            elif snapshot_record(post=post, metrics=found, at=now):
                kept += 1
    return kept


@transaction.atomic
def post_gone(*, post: Post, at: dt.datetime) -> bool:
    """Mark a published post deleted on its network (once) and say so (`post_deleted`):
    recognition reverses its engagement points. True the first time."""
    if not Post.objects.filter(pk=post.pk, deleted_at__isnull=True).update(
        deleted_at=at, last_synced_at=at
    ):
        return False
    logger.info("post_deleted_on_network org=%s post=%s", post.organization_id, post.pk)
    signals.post_deleted.send(
        sender=Post,
        organization_id=post.organization_id,
        membership_id=post.membership_id,
        post_id=post.pk,
        share_id=post.share_id,
    )
    return True


def followers_sync(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    now = now or clock.now()
    done = 0
    for connection in Connection.objects.filter(status=ConnectionStatus.ACTIVE).order_by(
        "followers_synced_at"
    )[:limit]:
        connector = connectors.get(connection.network)
        if not connector.supports_followers:
            continue
        try:
            followers = connector.fetch_followers(
                connections.connection_refresh(connection=connection)
            )
        except AuthError as exc:
            connections.connection_mark_needs_reconnect(
                connection_id=connection.pk, reason=exc.user_message
            )
            continue
        except ConnectorError:
            continue
        if followers is not None:
            Connection.objects.filter(pk=connection.pk).update(
                followers=max(0, followers), followers_synced_at=now
            )
            done += 1
    return done


def connections_refresh_expiring(*, limit: int = 1000) -> int:
    """Refresh the tokens that are within their network's refresh margin, before anyone
    needs them (a refused refresh marks the connection to be reconnected, and its owner
    sees it)."""
    count = 0
    for connection in Connection.objects.filter(
        status=ConnectionStatus.ACTIVE, token_expires_at__isnull=False
    ).order_by("token_expires_at")[:limit]:
        before = connection.token_expires_at
        try:
            ctx = connections.connection_refresh(connection=connection)
        except ConnectorError:
            continue
        if ctx.tokens.expires_at != before:
            count += 1
    return count
