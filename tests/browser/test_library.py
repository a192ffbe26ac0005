"""The library in a browser, at 1366x900 and 390x844, in English and French: no horizontal
overflow (the table scrolls inside its box on a desktop and becomes cards on a phone), and
axe-core finds no serious or critical violation on the list, the bulk report and the CSV
import page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from portevoix.analytics.models import ItemRollup
from portevoix.content.models import Campaign, Topic
from tests import factories
from tests.browser.axe import axe_source, axe_violations, describe
from tests.browser.test_accessibility import switch_language
from tests.browser.test_content_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _library(org: Any) -> Any:
    manager = factories.make_member(org, "content_manager", email="manager@acme.test")
    topic = Topic.objects.create(organization=org, name="Recrutement", slug="recrutement")
    campaign = Campaign.objects.create(organization=org, name="Salon de l'emploi 2030", slug="s")
    for n in range(6):
        item = factories.make_item(
            manager,
            title=f"Nous recrutons des ingénieurs données et plateformes à Lyon {n}",
            topic_ids=[topic.pk],
            campaign_id=campaign.pk if n % 2 else None,
            copies=[] if n == 5 else factories.item_data().copies,
        )
        ItemRollup.objects.create(
            organization=org,
            grain="m",
            period=dt.date(2026, 1, 1),
            item_id=item.pk,
            campaign_id=0,
            network="linkedin",
            shares=10 * n,
            clicks=123 * n,
            conversions=n,
        )
    return manager


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_library_fits_and_is_accessible(new_page: Any, live_server: Any, viewport: str) -> None:
    axe_source()
    org = factories.make_org("Acme")
    _library(org)
    size = VIEWPORTS[viewport]
    page = new_page(viewport=size)
    log_in(page, live_server, "manager@acme.test", "/library/")
    found = []
    for language in ("en", "fr"):
        if language == "fr":
            switch_language(page, "fr")

        def check(what: str, language: str = language) -> None:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width == size["width"], f"{what} ({language}, {viewport}) is {width} px wide"
            violations = axe_violations(page)
            if violations:
                found.append(describe(violations, f"{what} ({language}, {viewport})"))

        page.goto(f"{live_server.url}/library/?sort=-shares")
        check("/library/")
        page.locator(".library-filters > summary").click()
        check("/library/ with the filters open")
        # Check two items, submit them: one is refused (no copy), the report says why.
        page.locator('input[name="items"]').nth(0).check()
        page.locator('input[name="items"]').nth(1).check()
        page.select_option("#id_action", "submit")
        page.locator(".bulk-bar button[type=submit]").click()
        page.locator("table.bulk-report").wait_for()
        check("the bulk report")
        page.goto(f"{live_server.url}/library/import/")
        check("/library/import/")
    assert not found, "\n\n".join(found)
