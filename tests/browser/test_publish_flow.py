"""Connected accounts in a real browser: the ambassador connects X (the browser goes through
the fake X's authorization and comes back to our callback), publishes from the share page,
and sees the post in "My posts"; then a community manager pauses publishing and the
ambassador sees the banner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.publishing.models import Connection, Post, PostState
from tests import factories
from tests.browser.test_content_flow import log_in
from tests.factories import make_live_item
from tests.peers.fake_x import FakeX
from tests.peers.server import serve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def item(db: Any) -> Any:
    org = factories.make_org("Acme")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    factories.make_member(org, Role.COMMUNITY_MANAGER, email="cm@acme.test")
    factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    return make_live_item(manager, approver, title="Nous recrutons à Lyon")


@pytest.fixture
def fake_x(live_server: Any, settings: Any) -> Iterator[FakeX]:
    fake = FakeX(redirect_uris=(f"{live_server.url}/me/accounts/callback/x/",))
    with serve(fake.app) as url:
        settings.SOCIAL_ENDPOINTS = {
            "x": {
                "authorize": f"{url}/i/oauth2/authorize",
                "token": f"{url}/2/oauth2/token",
                "revoke": f"{url}/2/oauth2/revoke",
                "api": url,
            }
        }
        settings.SOCIAL_APPS = {
            "x": {"client_id": fake.client_id, "client_secret": fake.client_secret}
        }
        settings.SHORT_LINK_BASE_URL = "https://go.example.org"
        yield fake


def test_connect_x_publish_and_pause(new_page, live_server, item, fake_x):
    page = new_page()
    log_in(page, live_server, "ambassador@acme.test", "/me/accounts/")
    page.get_by_role("button", name="Connect X").click()
    # Through the network's authorization page and back to our callback.
    page.wait_for_url(f"{live_server.url}/me/accounts/")
    page.locator(".messages", has_text="connected").wait_for()
    connection = Connection.objects.get(network="x")
    assert f"X account {connection.handle} connected." in page.locator(".messages").inner_text()
    assert "AmbassadorAnna" in connection.handle
    assert connection.followers == fake_x.default_user.followers

    page.goto(f"{live_server.url}/share/{item.pk}/x/")
    panel = page.locator("#publish")
    assert panel.get_by_role("combobox", name="Account").input_value() == str(connection.pk)
    panel.get_by_role("button", name="Publish").click()
    page.wait_for_url(f"{live_server.url}/me/posts/")
    page.get_by_text("Published.").wait_for()
    post = Post.objects.get()
    assert post.state == PostState.PUBLISHED
    assert [t.id for t in fake_x.tweets_of()] == [post.remote_id]
    row = page.locator(f"tr[data-post='{post.pk}']")
    assert "Published" in row.inner_text()
    assert row.get_by_role("link", name="See the post").get_attribute("href") == post.remote_url

    # A community manager pauses all publishing; the ambassador sees why on every page.
    manager = new_page()
    log_in(manager, live_server, "cm@acme.test", "/publishing/pause/")
    manager.get_by_label("Reason (shown to the ambassadors)").fill("Incident en cours sur le site")
    manager.get_by_role("button", name="Pause now").click()
    manager.get_by_text("All publishing is paused").wait_for()
    page.goto(f"{live_server.url}/feed/")
    banner = page.locator(".pause-banner")
    assert "All scheduled publishing is paused." in banner.inner_text()
    assert "Incident en cours sur le site" in banner.inner_text()
