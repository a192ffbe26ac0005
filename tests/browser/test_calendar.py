"""The content calendar in a browser: no sideways overflow on a desktop or a phone, no
serious accessibility violation, and the "Move to" form reached with the keyboard alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from portevoix.accounts.roles import Role
from portevoix.content import services as content_services
from tests import factories
from tests.browser.axe import assert_accessible
from tests.browser.test_content_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _month_with_entries() -> str:
    org = factories.make_org("Acme")
    manager = factories.make_member(org, Role.CONTENT_MANAGER, email="contenu@acme.test")
    approver = factories.make_member(org, Role.APPROVER)
    day = timezone.localdate() + dt.timedelta(days=3)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    content_services.campaign_create(
        membership=manager, name="Salon", starts_on=day, ends_on=day + dt.timedelta(days=2)
    )
    factories.make_live_item(
        manager,
        approver,
        title="Un titre assez long pour tester le retour à la ligne dans une case",
        publish_at=start,
        expire_at=start + dt.timedelta(days=2),
    )
    review = factories.make_item(manager, title="En relecture", publish_at=start)
    content_services.item_submit(membership=manager, item=review)
    return f"/calendar/?view=month&date={day.isoformat()}"


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_the_month_fits_is_accessible_and_keyboard_operable(
    new_page: Any, live_server: Any, width: int, height: int
) -> None:
    path = _month_with_entries()
    page = new_page(viewport={"width": width, "height": height})
    log_in(page, live_server, "contenu@acme.test", "/calendar/")
    page.goto(f"{live_server.url}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") == width
    assert_accessible(page, f"calendar at {width}px")
    # Keyboard only: Tab reaches the first entry's "Move" toggle, Enter opens it, Tab reaches
    # the date and time field of the form.
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.cal-move summary')"):
            break
    else:
        pytest.fail("the Move toggle is not reachable with Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "publish_at"
    assert page.evaluate("document.documentElement.scrollWidth") == width
    assert_accessible(page, f"calendar with a move form open at {width}px")
