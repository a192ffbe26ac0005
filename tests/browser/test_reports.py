"""Reports in a real browser: the list, both reports, the schedules page and the dashboard
with its download links, on a phone (390x844) and a desktop (1366x900), in English and
French: nothing widens the page and axe-core finds no serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest

from portevoix.accounts import services as account_services
from portevoix.accounts.roles import Role
from portevoix.analytics.selectors import goals as goal_selectors
from portevoix.analytics.selectors import reports
from tests import factories
from tests.analytics import events
from tests.analytics.conftest import at
from tests.browser.axe import axe_source, axe_violations, describe
from tests.browser.test_content_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def data(db: Any) -> Any:
    org = factories.make_org("Acme")
    admin = factories.make_member(org, Role.ADMIN, email="admin@acme.test")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    item = factories.make_live_item(
        manager,
        approver,
        title="Un article au titre assez long pour passer à la ligne sur un téléphone",
    )
    today = goal_selectors.today()
    week = reports.last_full("weekly", today)
    month = reports.last_full("monthly", today)
    for n, day in enumerate((week.start, month.start, month.end)):
        person = factories.make_member(org, email=f"a{n}@acme.test", ambassador=True)
        account_services.visibility_set(membership=person, visibility="name")
        share = events.share(person, item, "linkedin", at(day.isoformat()), audience=100)
        events.click(share.link, at(day.isoformat(), 14), f"v{n}")
    factories.make_member(org, Role.EXECUTIVE, email="direction@acme.test")
    return {"admin": admin, "week": week.start, "month": month.start}


@pytest.mark.parametrize("size", list(SIZES))
def test_report_pages_fit_and_pass_axe(new_page, live_server, data, size):
    axe_source()  # skip (fail in CI) before the browser work when axe-core is missing
    viewport = SIZES[size]
    pages = [
        "/analytics/reports/",
        f"/analytics/reports/weekly/?start={data['week']}",
        f"/analytics/reports/monthly/?start={data['month']}",
        "/analytics/reports/schedules/",
        "/analytics/",
    ]
    page = new_page(viewport=viewport)
    log_in(page, live_server, "admin@acme.test", pages[0])
    found = []
    widths = {}
    for language in ("en", "fr"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for path in pages:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_selector(f"html[lang={language}]")
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            widths[(language, path)] = page.evaluate("document.documentElement.scrollWidth")
            violations = axe_violations(page)
            if violations:
                found.append(describe(violations, f"{path} ({language}, {size})"))
        page.goto(f"{live_server.url}{pages[2]}")
        title = "Monthly management report" if language == "en" else "Rapport mensuel"
        assert title in page.locator("h1").inner_text()
        assert page.locator("svg").count() >= 2
    assert widths == dict.fromkeys(widths, viewport["width"])
    assert not found, "\n".join(found)


def test_a_schedule_set_on_the_page(new_page, live_server, data):
    page = new_page(viewport=SIZES["phone"])
    log_in(page, live_server, "admin@acme.test", "/analytics/reports/schedules/")
    form = page.locator("form", has=page.locator("input[name='weekly-enabled']"))
    form.locator("input[name='weekly-enabled']").check()
    form.locator("input[name='weekly-recipients']").first.check()
    form.get_by_role("button").click()
    page.wait_for_url(f"{live_server.url}/analytics/reports/schedules/")
    assert page.locator("input[name='weekly-enabled']").is_checked()
