"""On a phone (390x844), wide tables scroll inside their box: the ambassador's pages with
tables (best times, their own figures) do not widen the page. The cells' visually hidden text
is positioned absolutely; without a positioned `.table-wrap` it escaped the scrolling box and
made the best-time page 950 px wide and the figures 1,500 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.browser.test_content_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/me/best-time/", "/analytics/me/", "/feed/", "/shares/"]


def test_ambassador_pages_do_not_overflow_sideways(new_page: Any, live_server: Any) -> None:
    org = factories.make_org("Acme")
    factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    page = new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server, "ambassador@acme.test", PAGES[0])
    widths = {}
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    assert widths == dict.fromkeys(PAGES, 390)
