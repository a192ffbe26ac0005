"""The installable web app in Chromium: the service worker registers and controls the page,
the feed last seen is shown offline with the offline banner, another page offline shows
the offline page, logging out (or another person on the device) empties the kept feed, a
push message becomes a notification, and Chromium finds the app installable."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from portevoix.accounts.roles import Role
from tests import factories
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_content_flow import log_in
from tests.factories import make_live_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NOTIFICATIONS_SHOWN = (
    "async () => (await (await navigator.serviceWorker.ready).getNotifications()).length"
)
# The pages of the feed kept by the worker (its cache is named after the worker's version).
KEPT_FEED = """async () => {
  const names = (await caches.keys()).filter((name) => name.startsWith("portevoix-feed-"));
  const urls = [];
  for (const name of names) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) { urls.push(new URL(request.url).pathname); }
  }
  return urls;
}"""


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    org = factories.make_org("Acme")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    ambassador = factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    other = factories.make_member(org, email="other@acme.test", ambassador=True)
    item = make_live_item(manager, approver, title="Nous recrutons à Lyon")
    return {"ambassador": ambassador, "other": other, "item": item}


def until(page: Any, condition: str, seconds: int = 10, must: bool = True) -> bool:
    """Wait until the (async) JavaScript function `condition` returns true in the page.
    Polled inside `evaluate`: Playwright's wait_for_function evaluates strings, which the
    CSP (no 'unsafe-eval') forbids."""
    done = page.evaluate(
        f"""async () => {{
          const deadline = Date.now() + {seconds * 1000};
          while (Date.now() < deadline) {{
            if (await ({condition})()) {{ return true; }}
            await new Promise((resolve) => setTimeout(resolve, 100));
          }}
          return false;
        }}"""
    )
    assert done or not must, condition
    return bool(done)


def controlled(page: Any) -> None:
    """Wait until the service worker is active, then for it to control the page: it claims
    the open pages when it activates, but a page whose navigation started while it was
    activating may be left to the next load."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("Boolean(navigator.serviceWorker.controller)"):
        page.reload()
    until(page, "async () => Boolean(navigator.serviceWorker.controller)")


def feed_pages_kept(page: Any, count: str) -> list[str]:
    until(page, f"async () => ({KEPT_FEED})().then((urls) => urls.length {count})")
    return page.evaluate(KEPT_FEED)


def wait_for_kept_feed(page: Any) -> list[str]:
    return feed_pages_kept(page, "> 0")


def feed_kept_while_online(page: Any, live_server: Any, email: str) -> None:
    log_in(page, live_server, email, "/feed/")
    controlled(page)
    page.reload()  # the first feed was fetched before the worker was there
    assert wait_for_kept_feed(page) == ["/feed/"]


def test_the_worker_keeps_the_feed_for_offline(new_page, live_server, people):
    page = new_page(viewport=PHONE)
    feed_kept_while_online(page, live_server, "ambassador@acme.test")
    banner = page.locator("#offline-banner")
    assert banner.is_hidden()
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == f"{live_server.url}/"

    # The server unreachable while the device says it is online (a server down, a captive
    # portal): the worker answers with the kept feed and tells the page, which says so.
    page.context.route("**/feed/*", lambda route: route.abort("connectionrefused"))
    page.reload()
    assert page.evaluate("navigator.onLine") is True
    banner.wait_for(state="visible")
    assert page.locator("article.feed-item", has_text=people["item"].title).is_visible()
    page.context.unroute("**/feed/*")
    page.reload()
    assert banner.is_hidden()

    # Offline, the feed shows as last seen, with the offline banner.
    page.context.set_offline(True)
    page.reload()
    assert page.locator("article.feed-item", has_text=people["item"].title).is_visible()
    banner.wait_for(state="visible")
    assert banner.inner_text().startswith("You are offline")
    assert banner.get_attribute("role") == "status"
    # The start URL of the installed app (another query) shows the same kept feed.
    page.goto(f"{live_server.url}/feed/?source=pwa")
    assert page.locator("article.feed-item", has_text=people["item"].title).is_visible()

    # A page never kept: the offline page, in a language the worker kept with the shell.
    page.goto(f"{live_server.url}/analytics/me/")
    assert page.locator("h1").inner_text() == "You are offline"
    assert page.get_by_role("link", name="Open my feed").is_visible()

    # Back online: the banner goes.
    page.goto(f"{live_server.url}/feed/")
    banner.wait_for(state="visible")
    page.context.set_offline(False)
    banner.wait_for(state="hidden")


def test_logging_out_empties_the_kept_feed(new_page, live_server, people):
    page = new_page(viewport=PHONE)
    feed_kept_while_online(page, live_server, "ambassador@acme.test")
    page.locator(".phone-menu > summary").click()  # on a phone, log out is in the Menu
    page.get_by_role("navigation", name="Menu").get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/login/")
    assert feed_pages_kept(page, "=== 0") == []

    page.context.set_offline(True)
    page.goto(f"{live_server.url}/feed/")
    assert page.locator("h1").inner_text() == "You are offline"
    assert page.locator("article.feed-item").count() == 0


def test_another_person_on_the_device_never_sees_the_kept_feed(new_page, live_server, people):
    """The session changes hands without a logout (it expired, the cookies were cleared and
    someone else's session arrives): the first page that names another viewer empties it."""
    page = new_page(viewport=PHONE)
    feed_kept_while_online(page, live_server, "ambassador@acme.test")
    client = Client()
    client.force_login(people["other"].user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/dashboard/")
    assert feed_pages_kept(page, "=== 0") == []


def test_a_push_message_becomes_a_notification(new_page, live_server, people):
    page = new_page(viewport=PHONE)
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    log_in(page, live_server, "ambassador@acme.test", "/feed/")
    controlled(page)
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: registrations.extend(e["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    deadline = 50
    while not registrations and deadline:
        page.wait_for_timeout(100)
        deadline -= 1
    registration = next(r for r in registrations if r["scopeURL"] == f"{live_server.url}/")
    # On a loaded machine Chromium may drop a push delivered while its worker is starting
    # (a real push service delivers again); the same tag replaces, so a second try is harmless.
    for _attempt in range(3):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": live_server.url,
                "registrationId": registration["registrationId"],
                "data": '{"title": "Nouveau contenu", "body": "À partager", '
                '"url": "https://evil.example/phish", "tag": "item-1"}',
            },
        )
        if until(page, NOTIFICATIONS_SHOWN, seconds=8, must=False):
            break
    until(page, NOTIFICATIONS_SHOWN)
    shown = page.evaluate(
        """navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) =>
          list.map((n) => ({title: n.title, body: n.body, tag: n.tag, icon: n.icon,
                            badge: n.badge, data: n.data})))"""
    )
    assert shown == [
        {
            "title": "Nouveau contenu",
            "body": "À partager",
            "tag": "item-1",
            "icon": f"{live_server.url}/static/icons/icon-192.png",
            "badge": f"{live_server.url}/static/icons/badge-96.png",
            # Another site's URL never reaches the click handler: home instead.
            "data": {"url": f"{live_server.url}/"},
        }
    ]


def test_chromium_finds_the_app_installable(browser, live_server, people, tmp_path):
    """Installability as Chromium judges it. Playwright's contexts are off the record, where
    Chromium refuses any install ("in-incognito"): this test opens a persistent profile."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        locale="en-GB",
        viewport=PHONE,
    )
    try:
        context.set_default_timeout(10_000)
        page = context.new_page()
        log_in(page, live_server, "ambassador@acme.test", "/feed/")
        controlled(page)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"] == f"{live_server.url}/manifest.webmanifest"
        assert manifest["errors"] == []
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
    finally:
        context.close()
