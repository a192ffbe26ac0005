"""Sharing from a phone: the share page's live counter, personalizing a suggested text,
sharing to X in the same tab (the network is stubbed), then confirming "I posted it"."""

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
    # Never reach the real network: X is a stub page.
    page.context.route(
        re.compile(r"^https://(x|twitter)\.com/.*"),
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>X stub</p>"),
    )
    log_in(page, live_server, "ambassador@acme.test", "/feed/")
    card = page.locator("article.feed-item", has_text=item.title)
    assert card.get_by_role("button", name="Share on LinkedIn").is_visible()
    card.get_by_text("More texts and networks").click()
    card.get_by_role("link", name="Personalize for X", exact=True).click()
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

    # Sharing goes to X in the same tab (a refusal would come back here), with the text
    # and the tracked link.
    page.locator("form[data-check-url]").get_by_role("button", name="Share on X").click()
    page.wait_for_url(re.compile(r"^https://x\.com/intent/post\?"))
    share = Share.objects.get()
    assert share.personalized
    assert opened[-1].startswith("https://x.com/intent/post?")
    query = parse_qs(urlsplit(opened[-1]).query)
    assert query["text"] == ["Mon équipe recrute à Lyon 🚀"]
    assert query["url"][0].endswith(f"/l/{share.link.code}")

    # Back on Portevoix with the Back button: "I posted it" confirms the share.
    page.go_back()
    page.wait_for_url(f"{live_server.url}/share/{item.pk}/x/")
    page.get_by_role("button", name="I posted it").click()
    page.get_by_text("Thank you! Your share is confirmed.").wait_for()
    share.refresh_from_db()
    assert share.state == ShareState.CONFIRMED
