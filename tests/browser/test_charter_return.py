"""On a phone: the feed tells a new ambassador to accept the charter before their first
share; they open a share anyway, are sent to the charter, accept it, and land back on the
share they started, which now lets them share."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from portevoix.accounts.roles import Role
from portevoix.governance import services
from portevoix.governance.models import CharterAcknowledgement
from tests import factories
from tests.browser.test_content_flow import log_in
from tests.factories import make_live_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def item(db: Any) -> Any:
    org = factories.make_org("Acme")
    admin = factories.make_member(org, Role.ADMIN)
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    draft = services.charter_draft_create(
        actor=admin,
        body_fr="## Notre charte\n\n- Le partage est **toujours volontaire**.\n",
        body_en="## Our charter\n\n- Sharing is **always voluntary**.\n",
    )
    services.charter_publish(actor=admin, version=draft, summary_of_changes="")
    factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    return make_live_item(manager, approver, title="Nous recrutons à Lyon")


def test_accepting_the_charter_returns_to_the_share(new_page, live_server, item):
    page = new_page(viewport=PHONE)
    log_in(page, live_server, "ambassador@acme.test", "/feed/")

    # Before any share attempt, the feed says what is missing, at the top of the screen.
    banner = page.locator("#gates-banner")
    assert banner.is_visible()
    assert "Read and accept the social media charter (version 1)." in banner.inner_text()
    box = banner.bounding_box()
    assert box is not None and box["y"] < PHONE["height"]
    assert banner.get_by_role("link", name="Read the charter").get_attribute("href") == (
        "/governance/charter/?next=%2Ffeed%2F"
    )

    # The ambassador opens a share anyway: it says why they cannot share yet.
    share = f"/share/{item.pk}/x/"
    page.goto(f"{live_server.url}{share}")
    blockers = page.locator("#blockers")
    assert blockers.is_visible()
    blockers.locator("a[href^='/governance/charter/']").click()
    page.wait_for_url(f"{live_server.url}/governance/charter/?next={quote(share, safe='')}")
    assert page.get_by_text("Please read the charter and accept it").is_visible()

    # They accept: back on the share they started, which now lets them share.
    page.get_by_role("button", name="I have read the charter and I accept it").click()
    page.wait_for_url(f"{live_server.url}{share}")
    assert page.get_by_text("you accepted version 1 of the charter").is_visible()
    assert page.locator("#blockers").count() == 0
    assert page.locator("#share-text").is_visible()
    assert CharterAcknowledgement.objects.filter(
        membership__user__email="ambassador@acme.test"
    ).exists()

    # The feed no longer asks.
    page.goto(f"{live_server.url}/feed/")
    assert page.locator("#gates-banner").count() == 0
