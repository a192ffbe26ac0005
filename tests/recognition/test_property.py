"""Property: after any stream of awards (duplicates included) and reversals, the per-period
totals equal a recount of the ledger, and no day's points of a rule pass its caps."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portevoix.recognition import selectors, services
from portevoix.recognition.models import PointEntry
from tests import factories
from tests.recognition.conftest import histogram_agrees

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

START = dt.datetime(2026, 3, 28, 9, 0, tzinfo=dt.UTC)  # across a month and a quarter end

award_step = st.tuples(
    st.just("award"),
    st.integers(0, 2),  # who
    st.sampled_from(["share", "click", "comment", "like"]),
    st.integers(0, 15),  # key (small: duplicates happen)
    st.integers(0, 9),  # day offset
    st.sampled_from(["x", "linkedin", ""]),
    st.integers(1, 8),  # count
)
reverse_step = st.tuples(st.just("reverse"), st.integers(0, 15))
recount_step = st.tuples(st.just("recount"))


def _clean(totals):
    return {key: value for key, value in totals.items() if value != (0, 0)}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(st.one_of(award_step, reverse_step, recount_step), max_size=40),
    share_points=st.sampled_from([None, 1, 5]),
)
def test_totals_equal_a_recount_of_the_ledger(steps, share_points):
    with transaction.atomic():
        org = factories.make_org()
        admin = factories.make_member(org, "admin")
        people = [factories.make_member(org, ambassador=True) for _ in range(3)]
        if share_points is not None:  # today's rule, for the recounts (events are older)
            services.rule_set(
                actor=admin,
                code="share",
                points=share_points,
                daily_cap=10,
                network_daily_cap=6,
                active=True,
            )
        for step in steps:
            if step[0] == "recount":
                services.points_recount(actor=admin, since=START.date())
                continue
            if step[0] == "award":
                _, who, rule, key, day, network, count = step
                services.points_award(
                    award=services.Award(
                        organization_id=org.pk,
                        membership_id=people[who].pk,
                        rule=rule,
                        source_type="test",
                        source_id=key,
                        key=f"{rule}:{key}",
                        at=START + dt.timedelta(days=day),
                        network=network,
                        count=count,
                    )
                )
            else:
                services.points_reverse(organization_id=org.pk, key=f"share:{step[1]}")
        assert _clean(selectors.stored_totals(organization_id=org.pk)) == _clean(
            selectors.ledger_sums(organization_id=org.pk)
        )
        assert histogram_agrees(org.pk)  # the ranks' buckets followed every move
        rules = {r.code: r for r in selectors.rules_in_force(organization_id=org.pk)}
        per_day: dict[tuple[int, str, dt.date], int] = defaultdict(int)
        # What a day of a rule is worth in the end (awards, corrections, reversals).
        for who, rule, day, points in PointEntry.objects.filter(organization=org).values_list(
            "membership_id", "rule", "day", "lifetime"
        ):
            per_day[(who, rule, day)] += points
        for (_who, rule, _day), points in per_day.items():
            assert points <= (rules[rule].daily_cap or points)
        transaction.set_rollback(True)
