"""The content flow in a real browser: write, check the live counter, submit, approve,
and find the item with its copy in an ambassador's feed."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.content.models import ContentItem, State
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINKEDIN_COPY = (
    "Nous ouvrons un nouveau site à Lyon : 40 postes à pourvoir. https://example.org/lyon"
)
X_COPY = "Lyon, nous voilà ! 40 postes à pourvoir #recrutement https://example.org/lyon"


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    org = factories.make_org("Acme")
    return {
        "manager": factories.make_member(org, Role.CONTENT_MANAGER, email="manager@acme.test"),
        "approver": factories.make_member(org, Role.APPROVER, email="approver@acme.test"),
        "ambassador": factories.make_member(org, email="ambassador@acme.test", ambassador=True),
    }


def log_in(page: Any, live_server: Any, email: str, next_path: str) -> None:
    page.goto(f"{live_server.url}/login/?next={next_path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{next_path}")


def fill_item(page: Any, title: str, x_copy: str) -> None:
    page.fill("#id_title", title)
    page.fill("#id_body", "Nous ouvrons **un nouveau site** à Lyon.")
    page.fill("#id_link", "https://example.org/lyon")
    page.select_option("#id_language", "fr")
    page.fill("#id_copy_linkedin_1", LINKEDIN_COPY)
    page.fill("#id_copy_x_1", x_copy)


def test_create_submit_approve_then_share_from_the_feed(new_page, live_server, people):
    title = "Nouveau site à Lyon"

    # A content manager writes the item with a LinkedIn and an X copy.
    manager = new_page()
    log_in(manager, live_server, "manager@acme.test", "/library/new/")
    fill_item(manager, title, X_COPY)
    counter = manager.locator("#counter_x_1")
    expected = f"{len(X_COPY) - len('https://example.org/lyon') + 23} / 280"
    counter.filter(has_text=expected).wait_for()
    assert "over" not in (counter.get_attribute("class") or "")
    assert counter.get_attribute("aria-live") == "polite"
    manager.get_by_role("button", name="Create the draft").click()
    manager.wait_for_url(re.compile(r".*/library/\d+/$"))
    assert manager.get_by_text("The item was created as a draft.").is_visible()
    item = ContentItem.objects.get(title=title)
    assert list(item.copies.values_list("network", "text")) == [
        ("linkedin", LINKEDIN_COPY),
        ("x", X_COPY),
    ]
    manager.get_by_role("button", name="Submit for review").click()
    manager.get_by_text("Submitted for review.").wait_for()
    assert manager.locator(".badge-in_review").is_visible()

    # An approver approves it: it goes live.
    approver = new_page()
    log_in(approver, live_server, "approver@acme.test", f"/library/{item.pk}/")
    approver.fill("#id_approve-comment", "Parfait")
    approver.get_by_role("button", name="Approve").click()
    approver.get_by_text("Your approval was recorded.").wait_for()
    assert approver.locator(".badge-live").is_visible()
    item.refresh_from_db()
    assert item.state == State.LIVE

    # An ambassador finds it in the feed, with its copies and a working Copy button.
    ambassador = new_page(viewport={"width": 390, "height": 844})
    log_in(ambassador, live_server, "ambassador@acme.test", "/feed/")
    card = ambassador.locator("article.feed-item", has_text=title)
    card.wait_for()
    assert card.locator(".copy-block", has_text=LINKEDIN_COPY).is_visible()
    x_copy = card.locator(".copy-block", has_text=X_COPY)
    assert not x_copy.is_visible()  # one tap away
    card.get_by_text("More texts and networks").click()
    assert x_copy.is_visible()
    button = card.locator("button[data-copy-target]").first
    button.click()
    card.locator("button[data-copy-target]", has_text="Copied").wait_for()
    if path := os.environ.get("PORTEVOIX_FEED_SCREENSHOT"):
        ambassador.screenshot(path=path, full_page=True)


def test_too_long_x_copy_turns_the_counter_red_and_is_refused(new_page, live_server, people):
    title = "Trop long pour X"
    too_long = "#Lyon " * 50 + "!"  # 301 characters

    manager = new_page()
    log_in(manager, live_server, "manager@acme.test", "/library/new/")
    fill_item(manager, title, too_long)
    counter = manager.locator("#counter_x_1.over")
    counter.wait_for()
    text = counter.inner_text()
    assert "301 / 280" in text
    assert "too many" in text
    assert manager.locator("#id_copy_x_1").get_attribute("aria-invalid") == "true"
    # The LinkedIn copy is fine: its counter stays neutral.
    linkedin = manager.locator("#counter_linkedin_1")
    linkedin.filter(has_text="/ 3000").wait_for()
    assert "over" not in (linkedin.get_attribute("class") or "")

    # Saving anyway: the server refuses, with the reason under the text area.
    manager.get_by_role("button", name="Create the draft").click()
    error = manager.locator("#id_copy_x_1_error")
    error.wait_for()
    assert "X: 301 of 280 weighted characters, 21 too many." in error.inner_text()
    assert manager.url == f"{live_server.url}/library/new/"
    assert manager.locator("#id_copy_x_1").input_value().startswith("#Lyon #Lyon")
    assert not ContentItem.objects.filter(title=title).exists()

    # It never reaches the feed.
    ambassador = new_page()
    log_in(ambassador, live_server, "ambassador@acme.test", "/feed/")
    assert ambassador.get_by_text("Nothing to share right now.", exact=False).is_visible()
    assert title not in ambassador.content()
