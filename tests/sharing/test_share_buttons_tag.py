"""`{% share_buttons item order %}`: the share bar other apps' templates show (the content
feed): the first suggested text of the member's first network, one row of share buttons
for their first networks, the other texts and networks in a <details>."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from portevoix.content import selectors as content_selectors
from portevoix.core.networks import NETWORK_CHOICES
from portevoix.sharing import selectors
from tests.factories import make_live_item

pytestmark = pytest.mark.django_db

TAG = Template("{% load sharing_tags %}{% share_buttons item %}")
ORDERED = Template("{% load sharing_tags %}{% share_buttons item order %}")


TOKEN = "t" * 64


def prefetched(item):
    """The item as the feed gives it to the tag: its copies prefetched."""
    return content_selectors.live_item(organization_id=item.organization_id, item_id=item.pk)


def render_for(item, user, order=None) -> str:
    request = RequestFactory().get("/feed/")
    request.user = user
    # What the page's context holds when the feed renders (the csrf context processor).
    context = {"item": prefetched(item), "request": request, "csrf_token": TOKEN, "order": order}
    return ORDERED.render(Context(context))


def test_one_form_and_one_personalize_link_per_network(item, ambassador):
    html = render_for(item, ambassador.user)
    for code, label in NETWORK_CHOICES:
        url = reverse("sharing:share", args=[item.pk, code])
        assert html.count(f'action="{url}"') == 1
        assert f'<a href="{url}">Personalize for {label}</a>' in html
        assert f"Share on {label}" in html
    assert html.count("<form ") == len(NETWORK_CHOICES)


def test_the_row_shows_the_first_networks_and_the_first_text(item, ambassador):
    html = render_for(item, ambassador.user, order=["x", "bluesky", "linkedin"])
    row, others = html.split('<details class="share-others">')
    # The row: X, Bluesky, LinkedIn (compact buttons named "Share on ..."), in that order.
    assert row.index('aria-label="Share on X">X<') < row.index('aria-label="Share on Bluesky"')
    assert row.index('aria-label="Share on Bluesky"') < row.index("Share on LinkedIn")
    assert "Share on Facebook" not in row and "Share on Facebook" in others
    # The first text is X's first copy, with its tracked Copy button; not repeated below.
    x_copy = item.copies.get(network="x")
    assert "Suggested text for X" in row
    assert f'data-copy-id="{x_copy.pk}"' in row and f'data-copy-id="{x_copy.pk}"' not in others
    linkedin = item.copies.get(network="linkedin")
    assert f'data-copy-id="{linkedin.pk}"' in others


def test_without_a_copy_for_the_first_network_the_next_one_gives_the_text(item, ambassador):
    html = render_for(item, ambassador.user, order=["facebook", "linkedin"])
    assert "Suggested text for LinkedIn" in html.split("<details")[0]


def test_the_order_tag_reads_the_members_shares_once_per_request(
    item, ambassador, django_assert_num_queries
):
    from django.test import RequestFactory as Factory

    request = Factory().get("/feed/")
    request.user = ambassador.user
    request.membership = ambassador  # type: ignore[attr-defined]  # as the middleware does
    template = Template("{% load sharing_tags %}{% network_order as a %}{% network_order as b %}")
    with django_assert_num_queries(1):
        template.render(Context({"request": request}))
    assert selectors.network_order(membership=ambassador)[0] == "linkedin"


def test_each_form_carries_the_csrf_token_of_the_page(item, ambassador):
    html = render_for(item, ambassador.user)
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert tokens == [TOKEN] * len(NETWORK_CHOICES)


def test_a_kept_bar_carries_each_page_its_own_token(item, ambassador):
    """The bar is kept per process (item, language, order): the token is the page's own."""
    first = render_for(item, ambassador.user)
    request = RequestFactory().get("/feed/")
    request.user = ambassador.user
    other = "b" * 64
    context = {"item": prefetched(item), "request": request, "csrf_token": other, "order": None}
    second = ORDERED.render(Context(context))
    assert re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', second) == [other] * len(
        NETWORK_CHOICES
    )
    assert second.replace(other, TOKEN) == first


def test_an_edited_item_gets_a_new_bar(item, manager, ambassador):
    before = render_for(item, ambassador.user)
    copy = item.copies.get(network="x")
    copy.text = "Un texte tout neuf pour X"
    copy.save()
    item.save()  # the services save the item with its copies: `updated_at` moves
    after = render_for(item, ambassador.user)
    assert "Un texte tout neuf pour X" in after and "Un texte tout neuf pour X" not in before


def test_the_bar_is_for_the_given_item_only(item, manager, approver, ambassador):
    other = make_live_item(manager, approver)
    html = render_for(item, ambassador.user)
    assert reverse("sharing:share", args=[item.pk, "x"]) in html
    assert reverse("sharing:share", args=[other.pk, "x"]) not in html


def test_the_tag_runs_no_query(item, ambassador, django_assert_num_queries):
    request = RequestFactory().get("/feed/")
    request.user = ambassador.user
    item = prefetched(item)
    with django_assert_num_queries(0):
        TAG.render(Context({"item": item, "request": request}))


def test_the_feed_shares_through_the_bar(client, item, ambassador):
    client.force_login(ambassador.user)
    html = client.get(reverse("content:feed")).content.decode()
    assert 'class="share-bar"' in html
    assert f'action="{reverse("sharing:share", args=[item.pk, "bluesky"])}"' in html


def test_the_order_puts_shared_networks_first_then_declared_ones(item, ambassador, client):
    from tests.sharing.conftest import presence, set_networks

    set_networks(ambassador, presence("threads"), presence("mastodon", instance="m.example"))
    # Declared networks come first, in the usual order among them.
    assert selectors.network_order(membership=ambassador)[:2] == ["mastodon", "threads"]
    client.force_login(ambassador.user)
    for _ in range(2):
        client.post(reverse("sharing:share", args=[item.pk, "bluesky"]), {"text": ""})
    client.post(reverse("sharing:share", args=[item.pk, "threads"]), {"text": ""})
    order = selectors.network_order(membership=ambassador)
    assert order[:3] == ["bluesky", "threads", "mastodon"]
    assert sorted(order) == sorted(code for code, _label in NETWORK_CHOICES)
