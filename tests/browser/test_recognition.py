"""The boards and my points at 390x844 and 1366x900: no sideways overflow, and axe-core finds
no serious or critical violation (with people of each visibility and a team on the board)."""

from __future__ import annotations

from typing import Any

import pytest

from portevoix.accounts import services as account_services
from portevoix.core import clock
from portevoix.recognition import services
from tests import factories
from tests.browser.axe import assert_accessible
from tests.browser.test_content_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/recognition/", "/recognition/me/"]


def _people(org: Any) -> None:
    admin = factories.make_member(org, "admin")
    team = account_services.team_create(actor=admin, name="Ventes et relations clients")
    choices = [("name", ""), ("pseudonym", "Le Renard"), ("pseudonym", ""), ("hidden", "")]
    for n, (visibility, pseudonym) in enumerate(choices * 2):
        person = factories.make_member(org, ambassador=True)
        person.teams.add(team)
        services.points_award(
            award=services.Award(
                organization_id=org.pk,
                membership_id=person.pk,
                rule="comment",
                source_type="test",
                source_id=n,
                key=f"comment:{n}",
                at=clock.now(),
                count=n + 1,
            )
        )
        services.preference_set(membership=person, visibility=visibility, pseudonym=pseudonym)


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 900)])
def test_boards_and_my_points_fit_and_are_accessible(
    new_page: Any, live_server: Any, viewport: tuple[int, int]
) -> None:
    org = factories.make_org("Acme")
    me = factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    _people(org)
    services.points_award(
        award=services.Award(
            organization_id=org.pk,
            membership_id=me.pk,
            rule="share",
            source_type="share",
            source_id=1,
            key="share:1",
            at=clock.now(),
            network="linkedin",
        )
    )
    width, height = viewport
    page = new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(60_000)  # a loaded machine: the first pages compile templates
    log_in(page, live_server, "ambassador@acme.test", PAGES[0])
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") == width, path
        assert_accessible(page, path)
    page.goto(f"{live_server.url}/recognition/?period=all")
    assert page.get_by_text("Le Renard").count() == 2
