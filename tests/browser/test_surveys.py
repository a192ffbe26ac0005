"""Survey pages at 390x844 and 1366x900: no sideways overflow, and axe-core finds no serious
or critical violation (the answer form of a member; the list, editor and results of an
administrator, with an eNPS, bars, teams and free texts)."""

from __future__ import annotations

from typing import Any

import pytest

from portevoix.surveys import services
from tests import factories
from tests.browser.axe import assert_accessible
from tests.browser.test_content_flow import log_in
from tests.surveys.conftest import ambassadors, answer, make_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 900)])
def test_survey_pages_fit_and_are_accessible(
    new_page: Any, live_server: Any, viewport: tuple[int, int]
) -> None:
    org = factories.make_org("Acme")
    admin = factories.make_member(org, "admin", email="admin@acme.test")
    factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    closed = make_survey(admin)
    for n, person in enumerate(ambassadors(org, 6)):
        answer(person, closed, score=n + 4, text=f"Une remarque assez longue numéro {n} " * 3)
    services.survey_close(actor=admin, survey_id=closed.pk)
    opened = make_survey(admin)
    width, height = viewport
    pages = {
        "ambassador@acme.test": ["/surveys/", f"/surveys/{opened.pk}/"],
        "admin@acme.test": [
            "/surveys/manage/",
            "/surveys/manage/new/",
            f"/surveys/manage/{closed.pk}/results/",
        ],
    }
    for email, paths in pages.items():
        page = new_page(viewport={"width": width, "height": height})
        page.set_default_timeout(60_000)  # a loaded machine: the first pages compile templates
        log_in(page, live_server, email, paths[0])
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate("document.documentElement.scrollWidth") == width, path
            assert_accessible(page, path)
