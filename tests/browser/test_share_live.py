"""The share page on a phone (390x844) checks the text as the ambassador types: a
competitor's name shows a warning before anything is submitted, a blocked term or a text
over X's 280 characters disables the Share button, and the form stays in the same tab."""

from __future__ import annotations

from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.governance import services as governance_services
from portevoix.sharing.models import Share
from tests import factories
from tests.browser.test_content_flow import log_in
from tests.factories import make_live_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def item(db: Any) -> Any:
    org = factories.make_org("Acme")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    community = factories.make_member(org, Role.COMMUNITY_MANAGER, email="community@acme.test")
    factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    for kind, action, terms in [
        ("competitor", "warn", ["VoltaVerde"]),
        ("blocked_term", "block", ["Projet Orion"]),
    ]:
        governance_services.rule_create(
            actor=community,
            data=governance_services.RuleData(kind=kind, action=action, terms=terms),
        )
    return make_live_item(manager, approver, title="Nous recrutons à Lyon")


def test_guardrails_and_the_limit_are_checked_as_the_ambassador_types(
    new_page: Any, live_server: Any, item: Any, settings: Any
) -> None:
    settings.SHORT_LINK_BASE_URL = "https://go.example.org"
    page = new_page(viewport={"width": 390, "height": 844})
    path = f"/share/{item.pk}/x/"
    log_in(page, live_server, "ambassador@acme.test", path)

    form = page.locator("form[data-check-url]")
    assert page.locator("form[target]").count() == 0  # no new tab: refusals land here
    area = page.locator("#share-text")
    button = form.get_by_role("button", name="Share on X")
    region = page.locator("#share-guardrails")
    assert region.get_attribute("aria-live") == "polite"
    page.locator("#share-counter").filter(has_text="/ 280").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390

    # A competitor's name: a warning as they type, nothing submitted, the button usable.
    area.fill("")
    area.press_sequentially("Mieux que VoltaVerde !", delay=20)
    warning = region.locator("li.share-guardrails-warn")
    warning.wait_for()
    assert "VoltaVerde" in warning.inner_text()
    assert "competitor" in warning.inner_text()
    assert not Share.objects.exists()
    assert button.is_enabled()

    # A blocked term: refused before submitting, the button waits.
    area.fill("Le projet Orion arrive")
    region.locator("li.share-guardrails-block").wait_for()
    page.locator("[data-share-submit][disabled]").wait_for()
    assert area.get_attribute("aria-invalid") == "true"
    assert region.locator("li.share-guardrails-warn").count() == 0

    # Past 280 characters on X: the counter says so and the button is disabled.
    area.fill("a" * 290)
    page.locator("#share-counter.over").wait_for()
    assert button.is_disabled()
    assert region.locator("li").count() == 0

    # Back under the limit, clean: the button comes back.
    area.fill("Mon équipe recrute à Lyon")
    page.locator("[data-share-submit]:not([disabled])").wait_for()
    assert area.get_attribute("aria-invalid") is None
    assert not Share.objects.exists()
