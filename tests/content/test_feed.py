"""The ambassador feed: only live, unexpired content in the ambassador's languages,
ranked by interests with important and featured items first."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.accounts import services as account_services
from portevoix.content import selectors, services
from portevoix.content.models import Topic
from portevoix.core import clock
from portevoix.core.errors import PermissionDenied
from tests.factories import make_item, make_live_item, make_member

pytestmark = pytest.mark.django_db


def _titles(membership) -> list[str]:
    return [item.title for item in selectors.feed_items(membership=membership)]


def test_only_live_unexpired_content_reaches_ambassadors(org, manager, approver, ambassador):
    now = clock.now()
    make_live_item(manager, approver, title="live")
    make_item(manager, title="draft")
    in_review = make_item(manager, title="in review")
    services.item_submit(membership=manager, item=in_review)
    make_live_item(manager, approver, title="future", publish_at=now + dt.timedelta(days=1))
    expired = make_live_item(
        manager, approver, title="expiring", expire_at=now + dt.timedelta(minutes=5)
    )
    archived = make_live_item(manager, approver, title="archived")
    services.item_archive(membership=manager, item=archived)
    assert sorted(_titles(ambassador)) == ["expiring", "live"]
    # Past expire-at, the item leaves the feed at once, before any job records it.
    later = now + dt.timedelta(minutes=10)
    titles = [i.title for i in selectors.feed_items(membership=ambassador, now=later)]
    assert "expiring" not in titles and "live" in titles
    assert selectors.effective_state(expired, later) == "expired"


def test_language_filter(org, manager, approver):
    english_only = make_member(org, ambassador=True, languages=["en"])
    make_live_item(manager, approver, title="en item", language="en")
    make_live_item(manager, approver, title="fr item", language="fr")
    assert _titles(english_only) == ["en item"]


def test_ranking_important_featured_then_interests(org, manager, approver):
    data_topic = Topic.objects.create(organization=org, name="Data", slug="data")
    fan = make_member(org, ambassador=True, topic_ids=[data_topic.pk])
    make_live_item(manager, approver, title="plain")
    make_live_item(manager, approver, title="matching", topic_ids=[data_topic.pk])
    make_live_item(manager, approver, title="featured", featured=True)
    make_live_item(manager, approver, title="important", important=True)
    assert _titles(fan) == ["important", "featured", "matching", "plain"]


def test_members_who_did_not_opt_in_have_no_feed(member):
    with pytest.raises(PermissionDenied):
        list(selectors.feed_items(membership=member))


def test_withdrawn_ambassador_loses_the_feed(ambassador):
    account_services.ambassador_opt_out(membership=ambassador)
    with pytest.raises(PermissionDenied):
        list(selectors.feed_items(membership=ambassador))


def test_other_organizations_content_never_appears(org, manager, approver, outsider):
    make_live_item(manager, approver, title="acme only")
    assert "acme only" not in _titles(outsider)


def test_feed_query_count_is_constant(
    org, manager, approver, ambassador, django_assert_max_num_queries
):
    topic = Topic.objects.create(organization=org, name="T", slug="t")
    for i in range(12):
        make_live_item(manager, approver, title=f"item {i}", topic_ids=[topic.pk])
    ambassador.refresh_from_db()
    with django_assert_max_num_queries(6):
        page = list(selectors.feed_items(membership=ambassador)[:10])
        for item in page:
            _ = [c.text for c in item.copies.all()]
            _ = list(item.images.all())
            _ = item.campaign
    assert len(page) == 10


def test_a_feed_page_is_two_queries_whatever_its_size(
    org, manager, approver, ambassador, django_assert_num_queries
):
    """The feed page's slice: the items with the feed's counts and their first image, then
    their copies (plus the roles and the profile, read once per request)."""
    topic = Topic.objects.create(organization=org, name="T", slug="t")
    for i in range(12):
        make_live_item(manager, approver, title=f"item {i}", topic_ids=[topic.pk])
    ambassador.refresh_from_db()
    since = clock.now() - dt.timedelta(days=1)
    filters = selectors.FeedFilters(topic_id=topic.pk, network="x", query="item")
    with django_assert_num_queries(4):
        found = selectors.feed_slice(
            membership=ambassador, offset=0, limit=10, since=since, filters=filters
        )
        for item in found.items:
            _ = [c.text for c in item.copies.all()]
            _ = (item.campaign, item.first_image, item.first_image_alt, item.is_new)
    assert (len(found.items), found.total, found.new) == (10, 12, 12)
    with django_assert_num_queries(2):
        second = selectors.feed_slice(membership=ambassador, offset=10, limit=10, since=since)
    assert (len(second.items), second.total) == (2, 12)
