"""Engagement and followers come back from the network (fake X) into snapshots, the
rollups the dashboards read, and the potential reach."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.analytics import rollups
from portevoix.analytics.models import DailyRollup
from portevoix.core import clock
from portevoix.publishing import engine, services, sync
from portevoix.publishing.models import Connection, ConnectionStatus, EngagementSnapshot
from portevoix.publishing.tokens import unseal

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(ambassador, item, x_connection, fake_x):
    post = services.post_create(
        actor=ambassador,
        draft=services.PostDraft(connection_id=x_connection.pk, item_id=item.pk),
    )
    assert engine.post_publish(post_id=post.pk) == "published"
    post.refresh_from_db()
    return post


def cell(post) -> DailyRollup:
    return DailyRollup.objects.get(membership_id=post.membership_id, network=post.network)


def test_engagement_arrives_in_snapshots_and_rollups(published, fake_x, monkeypatch):
    fake_x.set_metrics(
        published.remote_id,
        like_count=7,
        reply_count=2,
        retweet_count=3,
        quote_count=1,
        impression_count=500,
    )
    assert sync.engagement_sync() == 1
    snapshot = EngagementSnapshot.objects.get(post=published)
    assert (
        snapshot.likes,
        snapshot.replies,
        snapshot.reposts,
        snapshot.quotes,
        snapshot.impressions,
    ) == (7, 2, 3, 1, 500)
    figures = cell(published)
    assert (figures.engagements, figures.impressions, figures.impression_engagements) == (
        13,
        500,
        13,
    )

    # Too soon: not asked again. Later, with nothing new: no new snapshot.
    assert sync.engagement_sync() == 0
    later = clock.now() + dt.timedelta(minutes=30)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert sync.engagement_sync() == 0
    assert EngagementSnapshot.objects.filter(post=published).count() == 1

    # A like withdrawn and more views: the rollups follow (deltas can be negative).
    fake_x.set_metrics(published.remote_id, like_count=6, impression_count=800)
    even_later = later + dt.timedelta(minutes=30)
    monkeypatch.setattr(clock, "now", lambda: even_later)
    assert sync.engagement_sync() == 1
    figures = cell(published)
    assert (figures.engagements, figures.impressions) == (12, 800)
    assert EngagementSnapshot.objects.filter(post=published).count() == 2


def test_rollups_equal_a_recount_after_sync(published, fake_x):
    fake_x.set_metrics(published.remote_id, like_count=4, reply_count=1, impression_count=90)
    sync.engagement_sync()
    day = cell(published).day
    recount = rollups.rollups_recount(organization_id=published.organization_id, start=day, end=day)
    stored = rollups.rollups_read(organization_id=published.organization_id, start=day, end=day)
    assert recount == stored


def test_a_revoked_connection_is_marked_during_sync(published, fake_x, x_connection):
    fake_x.expire_access_token(
        unseal(Connection.objects.get(pk=x_connection.pk).tokens_encrypted).access_token
    )
    assert sync.engagement_sync() == 0
    x_connection.refresh_from_db()
    assert x_connection.status == ConnectionStatus.NEEDS_RECONNECT


def test_followers_replace_the_declared_audience(
    ambassador, item, x_connection, fake_x, manager, approver
):
    fake_x.default_user.followers = 5000
    assert sync.followers_sync() == 1
    x_connection.refresh_from_db()
    assert x_connection.followers == 5000 and x_connection.followers_synced_at is not None
    # A share through the share dialog on X now counts the synced audience too.
    from portevoix.sharing import services as sharing_services

    start = sharing_services.share_open(membership=ambassador, item_id=item.pk, network="x")
    assert start.share.audience == 5000


def test_linkedin_is_skipped_not_zeroed(published, fake_x):
    from portevoix import networks as connectors

    assert connectors.get("linkedin").supports_metrics is False
    assert connectors.get("x").supports_metrics is True


def test_a_connection_to_reconnect_is_shown_on_my_posts_and_the_share_page(
    client, ambassador, item, x_connection, fake_x
):
    from portevoix.publishing import connections

    connections.connection_mark_needs_reconnect(
        connection_id=x_connection.pk, reason="X refused the token."
    )
    client.force_login(ambassador.user)
    posts = client.get("/me/posts/").content.decode()
    assert f'data-reconnect="{x_connection.pk}"' in posts and "X refused the token." in posts
    share = client.get(f"/share/{item.pk}/x/").content.decode()
    assert "must be reconnected before it can publish" in share
    facebook = client.get(f"/share/{item.pk}/facebook/").content.decode()
    assert "personal profiles" in facebook


def test_a_post_deleted_on_the_network_is_marked_once_and_no_longer_synced(
    published, fake_x, monkeypatch
):
    from portevoix.publishing import signals
    from portevoix.publishing.models import Post

    heard: list[dict] = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    signals.post_deleted.connect(listener)
    try:
        fake_x.set_metrics(published.remote_id, like_count=3)
        assert sync.engagement_sync() == 1
        fake_x.tweets = [t for t in fake_x.tweets if t.id != published.remote_id]
        for minutes in (30, 60):
            later = clock.now() + dt.timedelta(minutes=minutes)
            monkeypatch.setattr(clock, "now", lambda later=later: later)
            assert sync.engagement_sync() == 0
    finally:
        signals.post_deleted.disconnect(listener)
    assert Post.objects.get(pk=published.pk).deleted_at is not None
    assert [h["share_id"] for h in heard] == [published.share_id]
