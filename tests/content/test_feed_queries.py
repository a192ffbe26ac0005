"""The feed page runs a constant number of queries whatever the number of items, filtered
or not, and a page served from the feed's caches (docs/decisions/0004-feed-cache.md) reads
no item at all."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portevoix.content.models import Campaign, Topic
from tests.content._helpers import add_image, login
from tests.factories import make_item

pytestmark = pytest.mark.django_db

# A page from the caches: 4 for the session, user, membership and roles; 1 for the profile;
# 1 for the feed's version and the member's interests (content.feed_cache.stamp); 1 for the
# crisis-pause banner of base.html; 2 for the gates banner (the charter to accept, the
# required courses); 1 for the top bar's notification bell (unread count); 1 for the
# connected-accounts actions of the cards (publishing's `card_publish_actions`).
FEED_BUDGET = 11
# What the caches save when they are cold: the filters' choices, the ranking, the next
# moment an item goes live, the page's items and their copies (5), and the member's network
# order (1, kept a minute per member by sharing's `network_order`).
FEED_COLD = 6


def _items(org, manager, approver, count: int) -> Topic:
    from portevoix.content import services

    topic, _ = Topic.objects.get_or_create(organization=org, slug="data", name="Data")
    campaign, _ = Campaign.objects.get_or_create(organization=org, slug="c", name="C")
    for n in range(count):
        item = make_item(manager, title=f"Été {n}", topic_ids=[topic.pk], campaign_id=campaign.pk)
        add_image(manager, item)
        services.item_submit(membership=manager, item=item)
        services.item_approve(membership=approver, item=item)
    return topic


@pytest.mark.parametrize("count", [3, 25])
def test_the_feed_page_has_a_constant_number_of_queries(
    client, org, manager, approver, ambassador, count, django_assert_max_num_queries
):
    topic = _items(org, manager, approver, count)
    login(client, ambassador)
    # The first visit writes it (1), every cache cold.
    with django_assert_max_num_queries(FEED_BUDGET + FEED_COLD + 1):
        html = client.get(reverse("content:feed")).content.decode()
    assert html.count('class="feed-image"') == min(count, 10)
    with django_assert_max_num_queries(FEED_BUDGET):  # a reload writes nothing, reads no item
        html = client.get(reverse("content:feed")).content.decode()
    assert html.count('class="feed-image"') == min(count, 10)
    filtered = {"topic": topic.pk, "network": "x", "type": "company_news", "q": "ete"}
    filtered["page"] = 3 if count == 25 else 1
    # Another ranking and other cards; the choices and the network order are cached.
    with django_assert_max_num_queries(FEED_BUDGET + FEED_COLD - 2):
        html = client.get(reverse("content:feed"), filtered).content.decode()
    assert html.count("<article") == (5 if count == 25 else 3)
    assert f"{count} items match your filters." in html
    with django_assert_max_num_queries(FEED_BUDGET):
        again = client.get(reverse("content:feed"), filtered).content.decode()
    assert again.count("<article") == html.count("<article")
