"""Sharing from a phone: the share page's live counter, personalizing a suggested text,
sharing to X in a new tab (the network is stubbed), then confirming "I posted it"."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from portevoix.accounts.roles import Role
from portevoix.sharing.models import Share, ShareState
from tests import factories
from tests.browser.test_content_flow import log_in
from tests.factories import make_live_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def item(db: Any) -> Any:
    org = factories.make_org("Acme")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    return make_live_item(manager, approver, title="Nous recrutons à Lyon")


def test_personalize_and_share_on_x_from_a_phone(new_page, live_server, item, settings):
    settings.SHORT_LINK_BASE_URL = "https://go.example.org"
    page = new_page(viewport={"width": 390, "height": 844})
    opened: list[str] = []

    def redirected(response: Any) -> None:
        if response.status == 302 and "/share/" in response.url:
            opened.append(response.headers.get("location", ""))

    page.context.on("response", redirected)
    # Never reach the real network: whatever the new tab loads outside the server fails.
    page.context.route(re.compile(r"^https://(x|twitter)\.com/.*"), lambda route: route.abort())
    log_in(page, live_server, "ambassador@acme.test", "/feed/")
    card = page.locator("article.feed-item", has_text=item.title)
    assert card.get_by_role("button", name="Share on LinkedIn").is_visible()
    card.locator(".share-more").get_by_role("link", name="X", exact=True).click()
    page.wait_for_url(f"{live_server.url}/share/{item.pk}/x/")

    # The counter counts the text as it will be posted, the tracked link as 23.
    area = page.locator("#share-text")
    counter = page.locator("#share-counter")
    counter.filter(has_text="/ 280").wait_for()
    area.fill("x" * 300)
    page.locator("#share-counter.over").wait_for()
    assert area.get_attribute("aria-invalid") == "true"
    page.get_by_role("button", name="Personalize this text").click()
    assert re.match(r"^On recrute #jobs https://go\.example\.org/l/\w{7}$", area.input_value())
    area.fill("Mon équipe recrute à Lyon 🚀")
    counter.filter(has_text="52 / 280").wait_for()  # 26 + 2 for the emoji, a space, 23
    assert "over" not in (counter.get_attribute("class") or "")

    # Sharing opens X in a new tab with the text and the tracked link.
    with page.context.expect_page() as popup_info:
        page.locator("form[data-check-url]").get_by_role("button", name="Share on X").click()
    popup = popup_info.value
    for _ in range(100):
        if opened:
            break
        page.wait_for_timeout(100)
    share = Share.objects.get()
    assert share.personalized
    assert opened[-1].startswith("https://x.com/intent/post?")
    query = parse_qs(urlsplit(opened[-1]).query)
    assert query["text"] == ["Mon équipe recrute à Lyon 🚀"]
    assert query["url"][0].endswith(f"/l/{share.link.code}")

    # Back on Portevoix: "I posted it" confirms the share.
    popup.close()
    page.reload()
    page.get_by_role("button", name="I posted it").click()
    page.get_by_text("Thank you! Your share is confirmed.").wait_for()
    share.refresh_from_db()
    assert share.state == ShareState.CONFIRMED
