"""A batch of awards (a click batch) gives exactly what the same awards one at a time give:
the same entries, caps and period totals, duplicates skipped, in a few queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portevoix.recognition import selectors, services
from portevoix.recognition.models import PointEntry
from portevoix.recognition.services import batch
from tests import factories

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 29, 20, 0, tzinfo=dt.UTC)  # a Sunday evening, before a month end


def _award(org, people, who, rule, key, hours, network, count=1):
    return services.Award(
        organization_id=org.pk,
        membership_id=people[who].pk,
        rule=rule,
        source_type="test",
        source_id=key,
        key=f"{rule}:{key}",
        at=START + dt.timedelta(hours=hours),
        network=network,
        count=count,
    )


def _org_with_people():
    org = factories.make_org()
    return org, [factories.make_member(org, ambassador=True) for _ in range(3)]


def _ledger(org, people):
    who = {person.pk: n for n, person in enumerate(people)}
    rows = PointEntry.objects.filter(organization=org).order_by("key")
    return [(r.key, who[r.membership_id], r.lifetime, r.spendable, r.capped) for r in rows]


def _totals(org, people):
    who = {person.pk: n for n, person in enumerate(people)}
    stored = selectors.stored_totals(organization_id=org.pk)
    return {
        (who[member], period, start): value for (member, period, start), value in stored.items()
    }


event = st.tuples(
    st.integers(0, 2),  # who
    st.sampled_from(["click", "like", "comment"]),
    st.integers(0, 40),  # key: duplicates happen
    st.integers(0, 60),  # hours after START: across a day, a week and a month end
    st.sampled_from(["x", "linkedin", ""]),
    st.integers(1, 30),  # count: enough to reach the caps
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=st.lists(event, max_size=60), split=st.integers(0, 60))
def test_a_batch_writes_what_one_at_a_time_writes(events, split):
    with transaction.atomic():
        one_org, one_people = _org_with_people()
        many_org, many_people = _org_with_people()
        for args in events:
            services.points_award(award=_award(one_org, one_people, *args))
        # Two batches (the second repeats part of the first): duplicates are skipped.
        awards = [_award(many_org, many_people, *args) for args in events]
        services.points_award_many(awards=awards[:split] or awards)
        services.points_award_many(awards=awards)
        assert _ledger(many_org, many_people) == _ledger(one_org, one_people)
        assert _totals(many_org, many_people) == _totals(one_org, one_people)
        assert selectors.stored_totals(organization_id=many_org.pk) == selectors.ledger_sums(
            organization_id=many_org.pk
        )
        transaction.set_rollback(True)


def test_a_batch_costs_a_few_queries_whatever_its_size():
    """One insert for all the entries (split by the database's parameter limit); one upsert
    for every daily counter that moved and one for every period total (never per event); a
    handful of reads and savepoints."""
    org, people = _org_with_people()
    awards = [
        _award(org, people, n % 3, "click", n, n % 5, ("x", "linkedin")[n % 2]) for n in range(300)
    ]
    with CaptureQueriesContext(connection) as queries:
        written = services.points_award_many(awards=awards)
    assert written == 300
    assert PointEntry.objects.filter(organization=org).count() == 300
    sql = [q["sql"] for q in queries.captured_queries]
    inserts = [q for q in sql if q.startswith("INSERT") and "recognition_pointentry" in q]
    counters = [q for q in sql if "recognition_dailyuse" in q and "DO UPDATE" in q]
    totals = [q for q in sql if "recognition_pointtotal" in q]
    # 3 people x 2 days (Paris) x (day-wide + 2 networks) counters moved by one upsert;
    # 3 people x (2 weeks + month + quarter + all time) totals, created or moved by one.
    # One statement (Django splits it on SQLite, 999 bound parameters a statement: 6).
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 6)
    assert len(counters) == 1
    assert len(totals) == 1
    assert totals[0].startswith("INSERT") and "ON CONFLICT" in totals[0]
    # Reads, savepoints, the running challenges (one) and the badges (at most 3 a person).
    assert len(sql) - len(inserts) - len(counters) - len(totals) <= 15 + 3 * 3


def test_a_key_written_meanwhile_falls_back_to_one_at_a_time(monkeypatch):
    """A concurrent worker inserts one of the batch's keys between the check and the insert:
    the batch's savepoint rolls back and each award is written alone, the duplicate once."""
    org, people = _org_with_people()
    awards = [_award(org, people, 0, "click", n, 1, "x") for n in range(5)]
    real_lock = batch._lock_counters

    def racing(organization_id, wanted):
        services.points_award(award=awards[2])  # the other worker's insert, after the check
        return real_lock(organization_id, wanted)

    monkeypatch.setattr(batch, "_lock_counters", racing)
    assert services.points_award_many(awards=awards) == 4
    assert PointEntry.objects.filter(organization=org).count() == 5
    assert selectors.stored_totals(organization_id=org.pk) == selectors.ledger_sums(
        organization_id=org.pk
    )


def test_clicks_counted_go_through_the_batch(monkeypatch):
    org, people = _org_with_people()
    seen: list[list[services.Award]] = []

    def spy(*, awards):
        seen.append(list(awards))
        return len(awards)

    monkeypatch.setattr("portevoix.recognition.services.awards.points_award_many", spy)

    class Click:
        def __init__(self, n):
            self.organization_id, self.membership_id = org.pk, people[0].pk
            self.link_id, self.click_id, self.network = 7, n, "x"
            self.at = START

    services.on_clicks_counted(clicks=[Click(1), Click(2)])
    assert [[a.key for a in batch_] for batch_ in seen] == [["click:1", "click:2"]]


def test_a_click_batch_earns_badges_and_counts_in_running_challenges(admin, ambassador):
    """What follows an entry follows a batch too: a badge on clicks is earned once, and a
    clicks challenge running now counts every click of the batch."""
    from portevoix.core import clock
    from portevoix.recognition.models import BadgeAward, Challenge

    badge = services.badge_create(
        actor=admin,
        name="Cliqué",
        description="",
        counter="click",
        threshold=3,
        shape="star",
        color="blue",
    )
    now = clock.now()
    challenge = services.challenge_create(
        actor=admin,
        data=services.ChallengeData(
            title="Des clics",
            description="",
            metric="clicks",
            target=100,
            starts_at=now - dt.timedelta(days=1),
            ends_at=now + dt.timedelta(days=1),
            scope="organization",
            min_score=1,
            bonus_points=0,
        ),
    )
    awards = [
        services.Award(
            organization_id=ambassador.organization_id,
            membership_id=ambassador.pk,
            rule="click",
            source_type="link",
            source_id=1,
            key=f"click:{n}",
            at=now - dt.timedelta(minutes=n),
            network="x",
        )
        for n in range(4)
    ]
    services.points_award_many(awards=awards)
    assert BadgeAward.objects.filter(badge=badge, membership=ambassador).count() == 1
    assert Challenge.objects.get(pk=challenge.pk).progress == 4
