from __future__ import annotations

import itertools

import pytest

from portevoix.core import clock
from portevoix.recognition import services as recognition
from portevoix.rewards import services

_keys = itertools.count(1)


def give_points(membership, points: int) -> None:
    """`points` spendable points (courses passed: 15 each, then surveys: 3, no daily cap)."""
    remaining = points
    while remaining:
        rule, value = ("course_passed", 15) if remaining >= 15 else ("survey_answered", 3)
        if remaining < 3:
            raise ValueError("use a multiple of 3")
        recognition.points_award(
            award=recognition.Award(
                organization_id=membership.organization_id,
                membership_id=membership.pk,
                rule=rule,
                source_type="test",
                source_id=next(_keys),
                key=f"test:{next(_keys)}",
                at=clock.now(),
            )
        )
        remaining -= value


def make_reward(admin, *, cost=30, stock=None, title="Mug", kind="gift", team_ids=(), active=True):
    return services.reward_save(
        actor=admin,
        data=services.RewardData(
            kind=kind,
            title=title,
            cost=cost,
            stock=stock,
            team_ids=list(team_ids),
            active=active,
        ),
    )


def configure(
    admin, *, budget=None, first_needs_approval=True, of_value=False, disclosure="#employee"
):
    return services.settings_update(
        actor=admin,
        data=services.SettingsData(
            monthly_budget=budget,
            first_needs_approval=first_needs_approval,
            of_value=of_value,
            disclosure=disclosure,
        ),
    )


def spendable(membership) -> int:
    from portevoix.recognition import selectors

    return selectors.balance(membership=membership)[1]


@pytest.fixture
def reward(admin):
    return make_reward(admin)
