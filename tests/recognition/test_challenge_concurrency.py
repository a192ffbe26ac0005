"""Many workers push a challenge over its target at once: it is reached once and each
qualifying participant gets the bonus once (real threads, each with its own connection:
on PostgreSQL the progress UPDATE locks the challenge's row until commit)."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.recognition import services
from portevoix.recognition.models import BadgeAward, Challenge, PointEntry
from tests import factories
from tests.training.test_concurrency import _run_concurrently

pytestmark = pytest.mark.slow


def _share(membership, key):
    return lambda: services.points_award(
        award=services.Award(
            organization_id=membership.organization_id,
            membership_id=membership.pk,
            rule="share",
            source_type="test",
            source_id=1,
            key=key,
            at=clock.now(),
            network="linkedin",
        )
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_entries_reach_the_target_once_and_pay_each_bonus_once():
    org = factories.make_org()
    admin = factories.make_member(org, Role.ADMIN)
    services.rules_ensure_defaults(organization_id=org.pk)
    services.badges_ensure_defaults(organization_id=org.pk)
    now = clock.now()
    challenge = services.challenge_create(
        actor=admin,
        data=services.ChallengeData(
            title="Sprint",
            description="",
            metric="shares",
            target=5,
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(days=1),
            scope="organization",
            min_score=1,
            bonus_points=30,
        ),
    )
    people = [factories.make_member(org, ambassador=True) for _n in range(4)]
    jobs = [_share(m, f"share:{m.pk}:{n}") for m in people for n in range(2)]
    jobs += [_share(people[0], f"share:{people[0].pk}:0")] * 2  # replays
    _run_concurrently(jobs)
    challenge.refresh_from_db()
    assert challenge.progress == 8 and challenge.reached_at is not None
    bonuses = PointEntry.objects.filter(rule="challenge_bonus", source_id=challenge.pk)
    assert sorted(bonuses.values_list("membership_id", flat=True)) == sorted(m.pk for m in people)
    # And again from many workers: nothing more.
    _run_concurrently([lambda: services.challenge_pay_bonuses(challenge=challenge)] * 4)
    assert bonuses.count() == 4
    # Each earned its first share badge once, whatever the concurrency.
    assert BadgeAward.objects.filter(badge__code="first_share").count() == 4
    assert Challenge.objects.get(pk=challenge.pk).progress == 8
