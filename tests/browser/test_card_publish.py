"""The feed card's publishing control on a phone (390x844), for an ambassador with two
connected accounts: it opens without widening the page, passes axe-core in English and
French, and "at the best time" plans the post in the background (the answer is read out in
the card, the ambassador keeps their place in the feed)."""

from __future__ import annotations

from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.networks.base import Account, TokenSet
from portevoix.publishing import connections
from portevoix.publishing.models import Post, PostState
from tests import factories
from tests.browser.axe import assert_accessible
from tests.browser.test_content_flow import log_in
from tests.factories import make_live_item
from tests.publishing._view_helpers import later, linkedin_connection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def ambassador_with_accounts(db: Any) -> dict[str, Any]:
    org = factories.make_org("Acme")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    ambassador = factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    linkedin_connection(ambassador)
    connections._store(
        membership=ambassador,
        network="mastodon",
        account=Account(account_id="@ada@mastodon.example", handle="@ada@mastodon.example"),
        tokens=TokenSet(access_token="masto-token", expires_at=later(24)),
        instance="https://mastodon.example",
    )
    item = make_live_item(manager, approver, title="Portes ouvertes à Villeurbanne")
    return {"ambassador": ambassador, "item": item}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_card_control_fits_a_phone_is_accessible_and_plans_in_the_background(
    new_page: Any, live_server: Any, ambassador_with_accounts: dict[str, Any], language: str
) -> None:
    page = new_page(viewport=PHONE)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    log_in(page, live_server, "ambassador@acme.test", "/feed/")
    assert page.locator("html").get_attribute("lang") == language
    item = ambassador_with_accounts["item"]
    control = page.locator(f"#publish-{item.pk}")
    control.locator("summary").click()
    accounts = control.locator(".card-publish-account")
    assert accounts.count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
    assert_accessible(page, f"feed card control ({language})")

    best = accounts.first.locator("button[value=best]")
    best.click()
    status = control.locator("[data-card-publish-status]")
    status.locator(".msg").first.wait_for()
    assert status.inner_text().strip()
    assert best.is_disabled()
    assert page.url.endswith("/feed/")  # no page load: the feed keeps its place
    posts = Post.objects.filter(item=item, membership=ambassador_with_accounts["ambassador"])
    assert posts.count() == 1
    assert posts.get().state == PostState.SCHEDULED
