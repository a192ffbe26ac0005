"""The feed benchmark's data builder and query counter (bench/feed_bench.py) at two tiny
scales, in the test database: no server, no socket. Keeps `make bench` from rotting, and
checks that the feed makes as many queries for a bigger organization."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bench import feed_bench
from portevoix.content.models import ContentItem, Transition
from portevoix.sharing.models import Share

# The benchmark smoke tests build two tiny benchmark organizations: the `slow` tier.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_feed_makes_as_many_queries_at_two_scales():
    counts = {}
    for scale, base in ((0.0005, 1_000_000), (0.002, 2_000_000)):
        built = feed_bench.build(scale, fast=False, base=base, slug=f"bench-{base}")
        sizes = feed_bench.sizes(scale)
        assert built.counts["sharing_share"] == sizes["shares"]
        assert Share.objects.filter(organization_id=built.org_id).count() == sizes["shares"]
        live = ContentItem.objects.filter(organization_id=built.org_id, state="live")
        assert live.count() == sizes["items"]
        assert len(built.ambassador_user_ids) == feed_bench.SESSIONS
        sessions = feed_bench.make_sessions(built.org_id, built.ambassador_user_ids[:1])
        urls = {
            name: path.format(topic=built.topic_id, campaign=built.campaign_id)
            for name, path in (u.split("=", 1) for u in feed_bench.DEFAULT_URLS)
        }
        counts[scale] = feed_bench.count_queries(urls, sessions[0])
        for page in counts[scale].values():
            assert page["cards"] == 10  # a full first page
            assert page["queries"] > 0
    small, big = counts.values()
    assert {k: v["queries"] for k, v in small.items()} == {k: v["queries"] for k, v in big.items()}


@pytest.fixture
def workspace_scenario():
    feed_bench.use_scenario("workspace")
    yield feed_bench.SCENARIO
    feed_bench.use_scenario("feed")


def test_the_workspace_pages_make_as_many_queries_at_two_scales(workspace_scenario):
    counts = {}
    for scale, base in ((0.0005, 1_000_000), (0.002, 2_000_000)):
        built = feed_bench.build(scale, fast=False, base=base, slug=f"bench-{base}")
        sizes = feed_bench.sizes(scale)
        items = ContentItem.objects.filter(organization_id=built.org_id)
        assert items.filter(state="live").count() == sizes["items"]
        assert items.count() == sizes["items"] + sizes["other_items"]
        # Every item in review has its submission; scheduled items publish later.
        in_review = items.filter(state="in_review")
        assert Transition.objects.filter(item__in=in_review, action="submit").count() == (
            in_review.count()
        )
        scheduled = [i.publish_at for i in items.filter(state="approved")]
        assert scheduled and all(at is not None and at > timezone.now() for at in scheduled)
        assert len(built.staff_user_ids) == feed_bench.SESSIONS
        sessions = feed_bench.make_sessions(built.org_id, built.staff_user_ids[:1])
        urls = {
            name: path.format(topic=built.topic_id, campaign=built.campaign_id)
            for name, path in (u.split("=", 1) for u in workspace_scenario.urls)
        }
        counts[scale] = feed_bench.count_queries(urls, sessions[0])
        for page in counts[scale].values():
            assert page["queries"] > 0
    small, big = counts.values()
    assert {k: v["queries"] for k, v in small.items()} == {k: v["queries"] for k, v in big.items()}
