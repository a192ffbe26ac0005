"""Badges and challenges at 390x844 and 1366x900: no sideways overflow, and axe-core finds
no serious or critical violation (earned and unearned badges, a running challenge)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from portevoix.core import clock
from portevoix.recognition import services
from tests import factories
from tests.browser.axe import assert_accessible
from tests.browser.test_content_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 900)])
def test_badges_and_challenges_fit_and_are_accessible(
    new_page: Any, live_server: Any, viewport: tuple[int, int]
) -> None:
    org = factories.make_org("Acme")
    admin = factories.make_member(org, "admin", email="admin@acme.test", ambassador=True)
    now = clock.now()
    challenge = services.challenge_create(
        actor=admin,
        data=services.ChallengeData(
            title="Une semaine de partages pour le recrutement de la rentrée",
            description="Tous ensemble : 200 partages d'ici vendredi.",
            metric="shares",
            target=200,
            starts_at=now - dt.timedelta(days=1),
            ends_at=now + dt.timedelta(days=4),
            scope="organization",
            min_score=2,
            bonus_points=20,
        ),
    )
    services.points_award(
        award=services.Award(
            organization_id=org.pk,
            membership_id=admin.pk,
            rule="share",
            source_type="share",
            source_id=1,
            key="share:1",
            at=now,
            network="linkedin",
        )
    )
    pages = [
        "/recognition/badges/",
        "/recognition/me/",
        "/recognition/challenges/",
        f"/recognition/challenges/{challenge.pk}/",
        "/recognition/challenges/new/",
        "/recognition/badges/new/",
    ]
    width, height = viewport
    page = new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(60_000)
    log_in(page, live_server, "admin@acme.test", pages[0])
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") == width, path
        assert_accessible(page, path)
