"""The demo's goals (issue 13): seven goals of every scope, with every status but "not
started", the reached one recorded once; loading the part again sets none
twice. Shares one load of the demo per module (tests/conftest.py `demo_module`)."""

from __future__ import annotations

import pytest

from portevoix.accounts.models import Membership
from portevoix.analytics.models import Goal
from portevoix.analytics.selectors import goals as goal_selectors
from portevoix.demo import data, loader

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_has_goals_of_every_status(demo_module):
    org, _output = demo_module
    analyst = Membership.objects.get(organization=org, user__email=data.ANALYST)
    rows = goal_selectors.goals(membership=analyst)
    assert len(rows) == 7
    assert {row.status for row in rows} == {"reached", "on_track", "at_risk", "missed"}
    assert {row.goal.metric for row in rows} >= {
        "clicks",
        "ideas_accepted",
        "certified_ambassadors",
    }
    assert any(row.goal.campaign_id for row in rows) and any(row.goal.team_id for row in rows)
    reached = [row.goal for row in rows if row.goal.reached_at is not None]
    assert len(reached) == 1
    # Its announcement goes out on commit (tests/analytics/test_goals.py checks it); the
    # demo is loaded here inside the module's transaction, which never commits.
    ambassador = Membership.objects.get(organization=org, user__email=data.AMBASSADOR)
    shown = {row.goal.name for row in goal_selectors.goals(membership=ambassador)}
    assert shown and shown < {row.goal.name for row in rows}
    assert loader.load_extras(org) == []  # every part loaded once
    assert Goal.objects.filter(organization=org).count() == 7
