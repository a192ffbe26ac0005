"""Accessibility: axe-core (npm registry, `make install`) finds no serious or critical
violation on the ambassador's pages (the feed, an item's share page, my shares, my figures,
my best times) on a phone (390x844), in English and in French, nor on the feed on a desktop
(1280). The pages are checked with data and in the states an ambassador meets: a guardrail
warning on the share page, the thank-you message after "I posted it", the figures' table
opened under the chart."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.governance import services as governance_services
from portevoix.sharing import services as sharing_services
from portevoix.sharing.records import ClickRecord
from tests import factories
from tests.browser.axe import axe_source, axe_violations, describe
from tests.browser.test_content_flow import log_in
from tests.factories import make_live_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
COMPETITOR = "VoltaVerde"


@pytest.fixture
def item(db: Any, settings: Any) -> Any:
    """An ambassador with data: two live items with copies (one important and featured), two
    shares (one confirmed, one original post waiting for "I posted it"), clicks; a competitor
    the guardrails warn about."""
    settings.SHORT_LINK_BASE_URL = "https://go.example.org"
    org = factories.make_org("Acme")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    community = factories.make_member(org, Role.COMMUNITY_MANAGER)
    ambassador = factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    governance_services.rule_create(
        actor=community,
        data=governance_services.RuleData(kind="competitor", action="warn", terms=[COMPETITOR]),
    )
    make_live_item(manager, approver, title="Notre rapport annuel", important=True, featured=True)
    item = make_live_item(manager, approver, title="Nous recrutons à Lyon")
    start = sharing_services.share_open(membership=ambassador, item_id=item.pk, network="x")
    sharing_services.share_confirm(membership=ambassador, share_id=start.share.pk)
    sharing_services.share_open(  # an original post, not yet confirmed
        membership=ambassador, item_id=item.pk, network="linkedin", text="Mon équipe recrute !"
    )
    now = clock.now()
    sharing_services.clicks_ingest(
        [
            ClickRecord(
                journal_key=f"axe-{n}",
                code=start.share.link.code,
                at=now - dt.timedelta(minutes=n),
                visitor=f"{n:032x}",
                bot=False,
                head=False,
                referrer_network="x",
                country="FR",
                click_id=f"axeclick{n}",
            )
            for n in range(1, 4)
        ]
    )
    return item


def switch_language(page: Any, code: str) -> None:
    """As a user does: the language selector of the menu submits itself (on a phone, in the
    Menu; on a desktop, in the "Me" menu)."""
    phone = page.locator(".phone-menu > summary")
    if phone.is_visible():
        phone.click()
    else:
        page.locator(".me-menu > summary").click()
    page.locator("form[action$='/setlang/'] select[name=language]:visible").select_option(code)
    page.wait_for_selector(f"html[lang={code}]")


class Checks:
    """axe on each page and state; the reports gathered, so one run names them all."""

    def __init__(self, page: Any, where: str) -> None:
        self.page = page
        self.where = where
        self.found: list[str] = []

    def check(self, what: str) -> None:
        violations = axe_violations(self.page)
        if violations:
            self.found.append(describe(violations, f"{what} ({self.where})"))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_ambassador_pages_on_a_phone(new_page, live_server, item, language):
    axe_source()  # skip (fail in CI) before the browser work when axe-core is missing
    page = new_page(viewport=PHONE)
    log_in(page, live_server, "ambassador@acme.test", "/feed/")
    if language != "en":
        switch_language(page, language)
    checks = Checks(page, f"{language}, 390x844")

    def visit(path: str) -> None:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("lang") == language
        checks.check(path)

    visit("/feed/")

    share_page = f"/share/{item.pk}/x/"
    visit(share_page)
    page.locator("#share-text").fill(f"Mieux que {COMPETITOR} !")
    page.locator("#share-guardrails li").wait_for()
    checks.check(f"{share_page} with a guardrail warning")

    visit("/me/shares/")
    page.locator("form[action$='/confirm/'] button[type=submit]").click()
    page.locator(".messages").wait_for()
    checks.check("/me/shares/ after “I posted it”")

    visit("/analytics/me/")
    page.locator("section:has(figure.chart) details > summary").click()
    checks.check("/analytics/me/ with the figures' table open")

    visit("/me/best-time/")
    assert not checks.found, "\n\n".join(checks.found)


# The other pages an ambassador reaches from the navigation, checked once (in English).
OTHER_PAGES = [
    "/dashboard/",
    "/me/posts/",
    "/me/accounts/",
    "/me/ambassador/",
    "/me/tokens/",
    "/training/",
    "/events/",
    "/certificates/",
    "/governance/charter/",
    "/governance/report/",
    "/people/",
    "/teams/",
]


def test_the_other_ambassador_pages_on_a_phone(new_page, live_server, item):
    axe_source()
    page = new_page(viewport=PHONE)
    log_in(page, live_server, "ambassador@acme.test", "/dashboard/")
    checks = Checks(page, "en, 390x844")
    for path in OTHER_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        checks.check(path)
    assert not checks.found, "\n\n".join(checks.found)


def test_the_feed_on_a_desktop(new_page, live_server, item):
    axe_source()
    page = new_page(viewport=DESKTOP)
    log_in(page, live_server, "ambassador@acme.test", "/feed/")
    violations = axe_violations(page)
    assert not violations, describe(violations, "/feed/ (en, 1280)")
