"""Raw events written as the sharing services (and the publishing engine) write them: the
raw row, then `rollup_add` in the same transaction. For tests that must not depend on the
sharing services or the publishing engine."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portevoix.accounts.models import Membership
from portevoix.analytics.rollups import EngagementFigures, engagement_delta, rollup_add
from portevoix.content.models import ContentItem
from portevoix.publishing.models import EngagementSnapshot, Post, PostState
from portevoix.sharing.models import Click, Conversion, Share, TrackedLink

_seq = itertools.count(1)


def link_for(membership: Membership, item: ContentItem, network: str) -> TrackedLink:
    link, _created = TrackedLink.objects.get_or_create(
        organization_id=membership.organization_id,
        membership=membership,
        item=item,
        network=network,
        defaults={"code": f"t{next(_seq):08d}"},
    )
    return link


@transaction.atomic
def share(
    membership: Membership,
    item: ContentItem,
    network: str,
    at: dt.datetime,
    *,
    audience: int = 0,
    personalized: bool = False,
) -> Share:
    link = link_for(membership, item, network)
    row = Share.objects.create(
        organization_id=membership.organization_id,
        membership=membership,
        item=item,
        network=network,
        link=link,
        personalized=personalized,
        audience=audience,
        created_at=at,
    )
    rollup_add(
        organization_id=membership.organization_id,
        day=timezone.localtime(at).date(),
        item_id=item.pk,
        campaign_id=item.campaign_id,
        membership_id=membership.pk,
        network=network,
        shares=1,
        original_posts=int(personalized),
        potential_reach=audience,
    )
    return row


@transaction.atomic
def click(link: TrackedLink, at: dt.datetime, visitor: str) -> Click:
    day = timezone.localtime(at).date()
    counted = not Click.objects.filter(link=link, day=day, visitor=visitor).exists()
    n = next(_seq)
    row = Click.objects.create(
        organization_id=link.organization_id,
        link=link,
        item_id_copy=link.item_id,
        membership_id_copy=link.membership_id,
        network=link.network,
        at=at,
        day=day,
        visitor=visitor,
        counted=counted,
        click_id=f"c{n:031d}",
        journal_key=f"test:{n}",
    )
    if counted:  # only the first click of a visitor on a link on a day counts
        rollup_add(
            organization_id=link.organization_id,
            day=day,
            item_id=link.item_id,
            campaign_id=link.item.campaign_id,
            membership_id=link.membership_id,
            network=link.network,
            clicks=1,
            unique_visitors=1,
        )
    return row


@transaction.atomic
def conversion(link: TrackedLink, at: dt.datetime, value: Decimal) -> Conversion:
    n = next(_seq)
    row = Conversion.objects.create(
        organization_id=link.organization_id,
        external_id=f"ext-{n}",
        kind="lead",
        value=value,
        link=link,
        at=at,
        source="api",
    )
    rollup_add(
        organization_id=link.organization_id,
        day=timezone.localtime(at).date(),
        item_id=link.item_id,
        campaign_id=link.item.campaign_id,
        membership_id=link.membership_id,
        network=link.network,
        conversions=1,
        conversion_value=value,
    )
    return row


@transaction.atomic
def connect_post(share: Share) -> Post:
    """The publishing Post of `share`, as the engine leaves it once published (the share is
    created at publication: created_at = published_at)."""
    return Post.objects.create(
        organization_id=share.organization_id,
        membership_id=share.membership_id,
        network=share.network,
        item_id=share.item_id,
        link_id=share.link_id,
        text=share.text or "text",
        personalized=share.personalized,
        scheduled_at=share.created_at,
        state=PostState.PUBLISHED,
        share=share,
        remote_id=f"r{next(_seq)}",
        created_at=share.created_at,
        published_at=share.created_at,
    )


def figures_of(snapshot: EngagementSnapshot | None) -> EngagementFigures | None:
    if snapshot is None:
        return None
    return (
        snapshot.likes,
        snapshot.replies,
        snapshot.reposts,
        snapshot.quotes,
        snapshot.impressions,
    )


def latest_snapshot(post: Post) -> EngagementSnapshot | None:
    return EngagementSnapshot.objects.filter(post=post).order_by("-at", "-id").first()


@transaction.atomic
def snapshot(
    post: Post,
    at: dt.datetime,
    likes: int | None = None,
    replies: int | None = None,
    reposts: int | None = None,
    quotes: int | None = None,
    impressions: int | None = None,
) -> EngagementSnapshot:
    """A new snapshot; when it becomes the post's latest (latest `at`, then highest id),
    the change of the latest figures goes to the share's cell (the engine's contract)."""
    previous = latest_snapshot(post)
    row = EngagementSnapshot.objects.create(
        organization_id=post.organization_id,
        post=post,
        at=at,
        likes=likes,
        replies=replies,
        reposts=reposts,
        quotes=quotes,
        impressions=impressions,
    )
    current = figures_of(row)
    assert current is not None
    if latest_snapshot(post) == row:
        assert post.share_id is not None
        share = Share.objects.select_related("item").get(pk=post.share_id)
        delta = engagement_delta(figures_of(previous), current)
        rollup_add(
            organization_id=share.organization_id,
            day=timezone.localtime(share.created_at).date(),
            item_id=share.item_id,
            campaign_id=share.item.campaign_id,
            membership_id=share.membership_id,
            network=share.network,
            engagements=delta["engagements"],
            impressions=delta["impressions"],
            impression_engagements=delta["impression_engagements"],
        )
    return row
