"""Copying from the feed on a phone puts the ambassador's tracked link on the clipboard,
and sharing on LinkedIn (which takes no text) copies the text first and says so."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.sharing.models import TrackedLink
from tests import factories
from tests.browser.test_content_flow import log_in
from tests.factories import make_live_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHORT = r"https://go\.example\.org/l/\w{7}"


@pytest.fixture
def item(db: Any) -> Any:
    org = factories.make_org("Acme")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    return make_live_item(manager, approver, title="Nous recrutons à Lyon")


def test_copy_and_linkedin_give_the_tracked_link(new_page, live_server, item, settings):
    settings.SHORT_LINK_BASE_URL = "https://go.example.org"
    page = new_page(viewport={"width": 390, "height": 844})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.context.route(re.compile(r"^https://([a-z]+\.)?linkedin\.com/.*"), lambda r: r.abort())
    log_in(page, live_server, "ambassador@acme.test", "/feed/")
    card = page.locator("article.feed-item", has_text=item.title)

    # The first text (LinkedIn's, the network of the ambassador's profile) is on the card;
    # X's is one tap away, under "More texts and networks".
    assert card.locator(".share-first-text").inner_text().startswith("Nous recrutons !")
    card.get_by_text("More texts and networks").click()
    # Copy on the X text: the clipboard holds the text with the tracked link, not the item's.
    x_copy = card.locator("section.network-copy", has=page.locator("h3", has_text="X"))
    x_copy.get_by_role("button", name="Copy").click()
    x_copy.get_by_role("button", name="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(rf"On recrute #jobs {SHORT}", copied), copied
    link = TrackedLink.objects.get(item=item, network="x")
    assert copied.endswith(f"/l/{link.code}")

    # Share on LinkedIn: the text is copied first, the live region says so, then LinkedIn's
    # share page opens in a new tab (stubbed).
    page.evaluate("navigator.clipboard.writeText('')")
    first_copy = card.locator("button.share-copy")
    assert first_copy.get_attribute("aria-describedby") == f"first-{item.pk}"
    first_copy.click()
    card.locator("button.share-copy", has_text="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(rf"Nous recrutons ! {SHORT}", copied), copied

    page.evaluate("navigator.clipboard.writeText('')")
    status = card.locator("[data-share-status]")
    assert status.get_attribute("aria-live") == "polite"
    with page.context.expect_page() as popup_info:
        card.get_by_role("button", name="Share on LinkedIn").click()
    popup_info.value.close()
    status.filter(has_text="Text copied: paste it").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(rf"Nous recrutons ! {SHORT}", copied), copied
    linkedin = TrackedLink.objects.get(item=item, network="linkedin")
    assert copied.endswith(f"/l/{linkedin.code}")
