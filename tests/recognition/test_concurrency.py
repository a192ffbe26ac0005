"""The same event from concurrent workers awards once; concurrent awards never pass a cap.

Real transactions and real threads, each with its own database connection: on PostgreSQL
the unique key makes the second insert wait and fail (its savepoint rolled back, caps and
totals included) and the daily counter's row lock serializes the caps; on SQLite the
IMMEDIATE transactions serialize the writers.
"""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.recognition import selectors, services
from portevoix.recognition.models import PointEntry, PointTotal
from tests import factories
from tests.recognition.conftest import histogram_agrees
from tests.training.test_concurrency import _run_concurrently

pytestmark = pytest.mark.slow

NOON = dt.datetime(2026, 5, 12, 10, 0, tzinfo=dt.UTC)


def _award(membership, key, rule="share", network="linkedin"):
    return lambda: services.points_award(
        award=services.Award(
            organization_id=membership.organization_id,
            membership_id=membership.pk,
            rule=rule,
            source_type="test",
            source_id=1,
            key=key,
            at=NOON,
            network=network,
        )
    )


@pytest.mark.django_db(transaction=True)
def test_the_same_event_from_many_workers_awards_once():
    org = factories.make_org()
    membership = factories.make_member(org, ambassador=True)
    services.rules_ensure_defaults(organization_id=org.pk)
    _run_concurrently([_award(membership, "share:42") for _ in range(10)])
    assert PointEntry.objects.filter(membership=membership).count() == 1
    assert set(PointTotal.objects.values_list("points", flat=True)) == {2}
    _run_concurrently([lambda: services.points_reverse(organization_id=org.pk, key="share:42")] * 6)
    assert PointEntry.objects.filter(membership=membership).count() == 2
    assert set(PointTotal.objects.values_list("points", flat=True)) == {0}


@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_never_pass_the_daily_caps():
    org = factories.make_org()
    membership = factories.make_member(org, ambassador=True)
    services.rules_ensure_defaults(organization_id=org.pk)
    # Shares: 2 points, 6 a day per network, 10 a day in all.
    jobs = [_award(membership, f"s{n}", network=("x", "linkedin")[n % 2]) for n in range(12)]
    _run_concurrently(jobs)
    by_network = dict.fromkeys(("x", "linkedin"), 0)
    for network, points in PointEntry.objects.values_list("network", "lifetime"):
        by_network[network] += points
    assert max(by_network.values()) == 6 and sum(by_network.values()) == 10
    assert selectors.balance(membership=membership) == (10, 10)
    assert selectors.stored_totals(organization_id=org.pk) == selectors.ledger_sums(
        organization_id=org.pk
    )
    assert histogram_agrees(org.pk)


@pytest.mark.django_db(transaction=True)
def test_awards_moving_shared_buckets_in_opposite_orders_never_deadlock():
    """Each worker gives its own member three awards in one transaction, in its own order:
    the members cross the same histogram buckets in every order. The buckets' rows are
    inserted, never updated, so no worker waits for another's bucket (on PostgreSQL, an
    upsert of shared buckets deadlocked here with the payers of every member's bonus)."""
    import random

    from django.db import transaction

    from portevoix.recognition.models import PointHistogram

    org = factories.make_org()
    services.rules_ensure_defaults(organization_id=org.pk)
    services.badges_ensure_defaults(organization_id=org.pk)
    people = [factories.make_member(org, ambassador=True) for _n in range(16)]
    rules = ["share", "comment", "repost", "click", "like"]
    rnd = random.Random(12)

    def job(membership, order):
        def run():
            with transaction.atomic():
                for n, rule in enumerate(order):
                    _award(membership, f"{rule}:{membership.pk}:{n}", rule=rule)()

        return run

    def payer(n):
        # Like a challenge's bonuses: every member in one transaction, in membership order.
        def run():
            with transaction.atomic():
                for membership in people:
                    _award(membership, f"bonus:{n}:{membership.pk}", rule="idea_accepted")()

        return run

    jobs = [job(m, rnd.sample(rules, 3)) for m in people] + [payer(n) for n in range(3)]
    _run_concurrently(jobs)
    assert selectors.stored_totals(organization_id=org.pk) == selectors.ledger_sums(
        organization_id=org.pk
    )
    assert histogram_agrees(org.pk)
    # Folded: one row per bucket still counting, the same counts, and nothing left to fold.
    assert services.histogram_compact(organization_id=org.pk) > 0
    assert histogram_agrees(org.pk)
    buckets = PointHistogram.objects.filter(organization_id=org.pk)
    assert buckets.filter(members=0).count() == 0
    keys = list(buckets.values_list("period", "start", "points"))
    assert len(keys) == len(set(keys))
    assert services.histogram_compact(organization_id=org.pk) == 0
