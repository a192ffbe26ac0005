"""The approvals queue in a browser, at 1366x900 and 390x844, in English and French: no
horizontal overflow and no serious or critical axe-core violation, with an overdue item, a
diff against an approved version and a refusal message; approving from the queue works."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.content import services
from portevoix.content.models import ContentItem
from portevoix.core import clock
from tests import factories
from tests.browser.axe import axe_source, axe_violations, describe
from tests.browser.test_accessibility import switch_language
from tests.browser.test_content_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"1366x900": {"width": 1366, "height": 900}, "390x844": {"width": 390, "height": 844}}


@pytest.fixture
def queue(db: Any) -> None:
    org = factories.make_org("Acme")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER, email="approver@acme.test")
    first = factories.make_item(manager, title="Nous recrutons des ingénieurs à Lyon")
    services.item_submit(membership=manager, item=first)
    ContentItem.objects.filter(pk=first.pk).update(
        review_due_at=clock.now() - dt.timedelta(hours=3)
    )
    edited = factories.make_live_item(manager, approver, title="Rapport annuel 2026")
    data = dataclasses.replace(
        factories.item_data(),
        title="Rapport annuel 2026 : nos résultats",
        body="Une année record pour nos équipes et nos clients, avec un très long mot "
        "anticonstitutionnellementanticonstitutionnellement pour la largeur.",
        publish_at=clock.now() + dt.timedelta(days=2),
        copies=[services.CopyData("linkedin", "Notre rapport annuel est en ligne ! #Rapport")],
    )
    services.item_update(membership=manager, item=edited, data=data)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_queue_fits_and_is_accessible(new_page, live_server, queue, viewport, language):
    axe_source()
    size = VIEWPORTS[viewport]
    page = new_page(viewport=size)
    log_in(page, live_server, "approver@acme.test", "/approvals/")
    if language != "en":
        switch_language(page, language)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator(".queue-entry").count() == 2
    assert page.locator(".queue-entry.is-overdue").count() == 1
    assert page.locator(".review-diff ins").count() > 0
    # A refusal: request changes without saying what (the browser's own check bypassed).
    page.evaluate(
        "document.querySelectorAll('textarea[required]').forEach(t => t.required = false)"
    )
    page.locator("form[action$='/request-changes/'] button").first.click()
    page.locator(".messages").wait_for()
    found = []
    violations = axe_violations(page)
    if violations:
        found.append(describe(violations, f"/approvals/ ({language}, {viewport})"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width == size["width"]
    assert not found, "\n\n".join(found)


def test_approve_from_the_queue(new_page, live_server, queue):
    page = new_page(viewport=VIEWPORTS["390x844"])
    log_in(page, live_server, "approver@acme.test", "/approvals/")
    page.locator("form[action$='/approve/'] button").first.click()
    page.locator(".messages").wait_for()
    assert page.locator(".queue-entry").count() == 1
