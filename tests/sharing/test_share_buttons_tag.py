"""`{% share_buttons item %}`: the share bar other apps' templates show (the content feed)."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from portevoix.core.networks import NETWORK_CHOICES
from tests.factories import make_live_item

pytestmark = pytest.mark.django_db

TAG = Template("{% load sharing_tags %}{% share_buttons item %}")


TOKEN = "t" * 64


def render_for(item, user) -> str:
    request = RequestFactory().get("/feed/")
    request.user = user
    # What the page's context holds when the feed renders (the csrf context processor).
    return TAG.render(Context({"item": item, "request": request, "csrf_token": TOKEN}))


def test_one_form_and_one_link_per_network(item, ambassador):
    html = render_for(item, ambassador.user)
    for code, label in NETWORK_CHOICES:
        url = reverse("sharing:share", args=[item.pk, code])
        assert f'action="{url}"' in html
        assert f'<a href="{url}">{label}</a>' in html
        assert f"Share on {label}" in html
    assert html.count("<form ") == len(NETWORK_CHOICES)


def test_each_form_carries_the_csrf_token_of_the_page(item, ambassador):
    html = render_for(item, ambassador.user)
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert tokens == [TOKEN] * len(NETWORK_CHOICES)


def test_the_bar_is_for_the_given_item_only(item, manager, approver, ambassador):
    other = make_live_item(manager, approver)
    html = render_for(item, ambassador.user)
    assert reverse("sharing:share", args=[item.pk, "x"]) in html
    assert reverse("sharing:share", args=[other.pk, "x"]) not in html


def test_the_tag_runs_no_query(item, ambassador, django_assert_num_queries):
    request = RequestFactory().get("/feed/")
    request.user = ambassador.user
    with django_assert_num_queries(0):
        TAG.render(Context({"item": item, "request": request}))


def test_the_feed_shares_through_the_bar(client, item, ambassador):
    client.force_login(ambassador.user)
    html = client.get(reverse("content:feed")).content.decode()
    assert 'class="share-bar"' in html
    assert f'action="{reverse("sharing:share", args=[item.pk, "bluesky"])}"' in html
