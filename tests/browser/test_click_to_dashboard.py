"""The measurable loop in a browser: an ambassador shares an item to X through the intent
button, someone else clicks the tracked link in another browser context, and the click
appears on the team's dashboard."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from portevoix.accounts.roles import Role
from portevoix.sharing.models import Click, Share
from portevoix.sharing.redirect import ingest
from portevoix.sharing.redirect.app import default_redirector
from tests import factories
from tests.browser.test_content_flow import log_in
from tests.factories import make_live_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A_PERSON = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)


def test_share_to_x_then_a_click_shows_on_the_dashboard(new_page, live_server, settings):
    settings.SHORT_LINK_BASE_URL = live_server.url
    org = factories.make_org("Acme")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    factories.make_member(org, Role.ANALYST, email="analyst@acme.test")
    factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    # The item's page lives on the test server itself: nothing leaves 127.0.0.1.
    item = make_live_item(
        manager, approver, title="Portes ouvertes", link=f"{live_server.url}/healthz?src=pv"
    )

    # 1. The ambassador shares to X: the intent URL carries the text and the tracked link.
    page = new_page()
    opened: list[str] = []
    page.context.on(
        "response",
        lambda r: (
            opened.append(r.headers.get("location", ""))
            if r.status == 302 and "/share/" in r.url
            else None
        ),
    )
    page.context.route(re.compile(r"^https://(x|twitter)\.com/.*"), lambda route: route.abort())
    log_in(page, live_server, "ambassador@acme.test", f"/share/{item.pk}/x/")
    # The share page works in the same tab: the answer is the redirect to X's intent page.
    page.locator("form[data-check-url]").get_by_role("button", name="Share on X").click()
    for _ in range(100):
        if opened:
            break
        page.wait_for_timeout(100)
    share = Share.objects.get()
    intent = urlsplit(opened[-1])
    assert (intent.scheme, intent.netloc, intent.path) == ("https", "x.com", "/intent/post")
    short_url = parse_qs(intent.query)["url"][0]
    assert short_url == f"{live_server.url}/l/{share.link.code}"

    # 2. A reader, in another browser context, clicks the tracked link.
    reader = new_page(user_agent=A_PERSON)
    reader.goto(short_url)
    reader.wait_for_url(re.compile(r".*/healthz\?.*"))
    landed = urlsplit(reader.url)
    query = parse_qs(landed.query)
    assert landed.path == "/healthz"
    assert query["src"] == ["pv"] and query["utm_source"] == ["x"] and "pv_click" in query

    # 3. The click ingester runs; the analyst's dashboard shows the click.
    default_redirector().journal.close()
    ingest.run(follow=False, directory=default_redirector().journal.directory)
    assert Click.objects.filter(link=share.link, counted=True).count() == 1
    analyst = new_page()
    log_in(analyst, live_server, "analyst@acme.test", "/analytics/")
    assert analyst.locator("[data-kpi=clicks] .kpi-value").inner_text().strip() == "1"
    assert analyst.locator("[data-kpi=shares] .kpi-value").inner_text().strip() == "1"
