"""The charter gate and the guardrails in a real browser: an ambassador who has not accepted
the charter is sent to it, reads it, accepts, and comes back to write; a text with a blocked
term is highlighted as they type and refused by the server."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.governance import selectors, services
from portevoix.governance.models import CharterAcknowledgement
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTER_EN = (
    "## Our social media charter\n\n"
    "- Sharing is **always voluntary**.\n"
    "- Never post confidential projects or internal figures.\n"
)
CHARTER_FR = "## Notre charte\n\n- Le partage est **toujours volontaire**.\n"
# The emoji before the term checks that offsets (code points) land right in the browser.
TEXT = "🚀 Le lancement du projet orion est prévu en juin !"


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    org = factories.make_org("Acme")
    admin = factories.make_member(org, Role.ADMIN, email="admin@acme.test")
    community = factories.make_member(org, Role.COMMUNITY_MANAGER, email="cm@acme.test")
    draft = services.charter_draft_create(actor=admin, body_fr=CHARTER_FR, body_en=CHARTER_EN)
    services.charter_publish(actor=admin, version=draft, summary_of_changes="")
    services.rule_create(
        actor=community,
        data=services.RuleData(
            kind="blocked_term",
            action="block",
            terms=["Projet Orion"],
            reason="Confidential project: never mention it.",
        ),
    )
    ambassador = factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    return {"org": org, "ambassador": ambassador}


def test_accept_the_charter_then_a_blocked_term_is_highlighted_and_refused(
    new_page, live_server, people
):
    page = new_page()
    # The ambassador wants to write a post: they are asked to accept the charter first.
    page.goto(f"{live_server.url}/login/?next=/governance/check/")
    page.fill("input[name=username]", "ambassador@acme.test")
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/governance/charter/\?next=%2Fgovernance%2Fcheck%2F$"))
    assert page.get_by_text("Please read the charter and accept it").is_visible()
    assert page.locator(".charter-body strong", has_text="always voluntary").is_visible()

    # They read it and accept: back to where they were going.
    page.get_by_role("button", name="I have read the charter and I accept it").click()
    page.wait_for_url(f"{live_server.url}/governance/check/")
    assert page.get_by_text("you accepted version 1 of the charter").is_visible()
    current = selectors.current_charter(people["org"])
    assert CharterAcknowledgement.objects.filter(
        membership=people["ambassador"], version=current
    ).exists()

    # A text with a blocked term: the term is highlighted as they type, with the reason.
    area = page.locator("textarea[data-guardrails]")
    area.fill(TEXT)
    mark = page.locator(".guardrails-preview mark.guardrails-block")
    mark.wait_for()
    assert mark.inner_text() == "projet orion"
    assert (
        page.locator(".guardrails-preview .guardrails-summary").inner_text().startswith("Refused")
    )
    assert (
        "Confidential project" in page.locator(".guardrails-preview .guardrails-list").inner_text()
    )
    assert area.get_attribute("aria-invalid") == "true"

    # Submitting it anyway: the server refuses it, with the same term marked.
    page.get_by_role("button", name="Check on the server").click()
    page.get_by_role("heading", name="Your text is refused").wait_for()
    assert page.locator("#check-result mark.guardrails-block").inner_text() == "projet orion"
    assert page.locator("textarea[data-guardrails]").input_value().strip() == TEXT

    # A clean text passes, with the disclosure rules of the organization (none here).
    page.locator("textarea[data-guardrails]").fill("Nous recrutons à Lyon !")
    page.get_by_role("button", name="Check on the server").click()
    page.get_by_role("heading", name="Your text can be shared").wait_for()
