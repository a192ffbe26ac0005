"""The feed on a phone (390x844): the first card's first share action is on the first
screen, "More texts and networks" opens the other networks, the filter form works, nothing
overflows sideways; the share page previews the post as the ambassador types."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from portevoix.accounts.models import AmbassadorProfile
from portevoix.accounts.roles import Role
from portevoix.content import services
from portevoix.content.models import Topic
from portevoix.content.services import CopyData
from portevoix.core import clock
from tests import factories
from tests.browser.test_content_flow import log_in
from tests.content._helpers import add_image
from tests.factories import make_live_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# The header stays under 15 % of the screen (126 px at 844).
HEADER_MAX = 126
LONG_BODY = "Nous ouvrons **un nouveau site** à Lyon. " * 30
LONG_COPY = "Nous recrutons à Lyon : ingénieures et ingénieurs, venez ! " * 40


@pytest.fixture
def feed(db: Any) -> dict[str, Any]:
    org = factories.make_org("Acme")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    ambassador = factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    # A visit an hour ago: everything below is new (the "N new since your last visit" line
    # and the markers take their room on the first screen).
    an_hour_ago = clock.now() - dt.timedelta(hours=1)
    AmbassadorProfile.objects.filter(membership=ambassador).update(
        feed_seen_at=an_hour_ago, feed_since_at=None
    )
    events = Topic.objects.create(organization=org, name="Événements", slug="evenements")
    for n in range(12):
        make_live_item(manager, approver, title=f"Actualité {n}")
    make_live_item(manager, approver, title="Salon de l'emploi", topic_ids=[events.pk])
    # The first card is the tallest a card gets: important, a long title, an image, a long
    # body and a long first text.
    first = factories.make_item(
        manager,
        title="Un titre long pour une annonce importante qui prend deux lignes sur un téléphone",
        body=LONG_BODY,
        important=True,
        copies=[CopyData("linkedin", LONG_COPY), CopyData("x", "Lyon !")],
    )
    add_image(manager, first)
    services.item_submit(membership=manager, item=first)
    services.item_approve(membership=approver, item=first)
    return {"first": first, "events": events}


def _no_overflow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]


def test_first_share_action_visible_and_more_opens_the_other_networks(
    new_page: Any, live_server: Any, feed: dict[str, Any]
) -> None:
    page = new_page(viewport=PHONE)
    log_in(page, live_server, "ambassador@acme.test", "/feed/")
    card = page.locator("article.feed-item").first
    assert feed["first"].title in card.locator("h2").inner_text()
    assert page.get_by_text("14 new since your last visit").is_visible()
    assert card.locator(".badge-new").inner_text() == "New"
    header = page.locator("body > header").first.bounding_box()
    tabbar = page.locator("nav.tabbar, .tabbar").first.bounding_box()
    box = card.locator(".share-row button").first.bounding_box()
    assert box is not None and header is not None and tabbar is not None
    assert header["y"] + header["height"] < HEADER_MAX
    bottom = box["y"] + box["height"]
    print(f"header {header['height']:.0f} px, first share action bottom {bottom:.0f} px")
    # On the first screen, above the bottom tab bar: no scrolling needed.
    assert bottom <= tabbar["y"] <= PHONE["height"]
    _no_overflow(page)

    # The other networks are one tap away.
    # The row: LinkedIn (declared in the profile), then the usual order.
    row = card.locator(".share-row .share-button")
    assert row.all_inner_texts() == ["LinkedIn", "X", "Facebook"]
    threads = card.get_by_role("button", name="Share on Threads")
    assert not threads.is_visible()
    card.get_by_text("More texts and networks").click()
    assert threads.is_visible()
    assert card.locator("section.network-copy", has_text="Threads").is_visible()
    _no_overflow(page)

    # "more" opens the whole body.
    body = card.locator("details.feed-body")
    assert not body.locator(".body").is_visible()
    body.locator("summary").click()
    assert body.locator(".body").is_visible()
    _no_overflow(page)


def test_the_filter_form_filters_and_keeps_its_filters_across_pages(
    new_page: Any, live_server: Any, feed: dict[str, Any]
) -> None:
    page = new_page(viewport=PHONE)
    log_in(page, live_server, "ambassador@acme.test", "/feed/")
    assert page.locator("nav.pagination a[rel=next]").count() == 1
    page.get_by_text("Filter", exact=True).click()
    page.get_by_label("Search").fill("actualite")  # no accent: finds "Actualité"
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/feed/?q=actualite*")
    titles = page.locator("article.feed-item h2").all_inner_texts()
    assert len(titles) == 10 and all(t.startswith("Actualité") for t in titles)
    _no_overflow(page)
    page.locator("nav.pagination a[rel=next]").click()
    page.wait_for_url("**page=2*")
    assert "q=actualite" in page.url
    assert len(page.locator("article.feed-item").all()) == 2

    page.goto(f"{live_server.url}/feed/")
    page.get_by_text("Filter", exact=True).click()
    page.get_by_label("Topic").select_option(label="Événements")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(f"**topic={feed['events'].pk}*")
    assert page.locator("article.feed-item h2").all_inner_texts() == ["Salon de l'emploi"]
    page.get_by_role("link", name="Clear filters").first.click()
    page.wait_for_url(f"{live_server.url}/feed/")
    assert page.locator("article.feed-item").count() == 10


def test_the_share_page_previews_the_post_as_it_is_typed(
    new_page: Any, live_server: Any, feed: dict[str, Any]
) -> None:
    item = feed["first"]
    page = new_page(viewport=PHONE)
    log_in(page, live_server, "ambassador@acme.test", f"/share/{item.pk}/linkedin/")
    preview = page.get_by_label("Preview")
    assert preview.is_visible()
    # LinkedIn: a link card with the item's title.
    assert item.title in preview.locator(".preview-card").inner_text()
    page.fill("#share-text", "Bonjour <b>tout le monde</b> https://go.example.org/l/abc")
    preview.locator(".preview-text").filter(has_text="Bonjour <b>tout le monde</b>").wait_for()
    assert preview.locator(".preview-text b").count() == 0  # text, never markup
    _no_overflow(page)

    page.goto(f"{live_server.url}/share/{item.pk}/x/")
    preview = page.get_by_label("Preview")
    assert preview.locator(".preview-card").count() == 0
    page.fill("#share-text", "Court https://go.example.org/l/abcdefghijklmnopqrstuvwxyz")
    link = preview.locator(".preview-link")
    link.wait_for()
    shown = link.inner_text()
    assert not shown.startswith("https://") and shown.endswith("…")
