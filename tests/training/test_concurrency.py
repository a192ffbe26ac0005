"""Capacity under concurrent registrations: never more registered than places.

Real transactions and real threads, each with its own database connection: on PostgreSQL the
event row lock (SELECT ... FOR UPDATE) makes the writers wait for each other; on SQLite the
IMMEDIATE transactions do.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from portevoix.training import services
from portevoix.training.models import Registration
from tests import factories
from tests.training.conftest import make_event

pytestmark = pytest.mark.slow

N = 12
CAPACITY = 5


def _run_concurrently(jobs):
    """Start every job at once (a barrier), each in its own thread and DB connection."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as exc:  # reported below, with the thread's failure
            errors.append(exc)
        finally:
            connection.close()  # this thread's connection

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_capacity():
    org = factories.make_org()
    admin = factories.make_member(org, "admin")
    event = make_event(admin, capacity=CAPACITY)
    members = [factories.make_member(org) for _i in range(N)]

    def register(membership):
        return lambda: services.registration_create(
            membership=membership, event=event, notify=False
        )

    _run_concurrently([register(m) for m in members])

    rows = Registration.objects.filter(event=event)
    assert rows.count() == N
    assert rows.filter(status="registered").count() == CAPACITY
    assert rows.filter(status="registered", position__isnull=False).count() == 0
    waiting = list(
        rows.filter(status="waitlisted").order_by("position").values_list("position", flat=True)
    )
    assert waiting == list(range(1, N - CAPACITY + 1))


@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_and_registrations_keep_the_list_consistent():
    org = factories.make_org()
    admin = factories.make_member(org, "admin")
    event = make_event(admin, capacity=3)
    first = [factories.make_member(org) for _i in range(6)]
    for membership in first:
        services.registration_create(membership=membership, event=event, notify=False)
    late = [factories.make_member(org) for _i in range(4)]

    def cancel(membership):
        return lambda: services.registration_cancel(
            membership=membership, event=event, notify=False
        )

    def register(membership):
        return lambda: services.registration_create(
            membership=membership, event=event, notify=False
        )

    # Two registered people and one on the waiting list leave while four more arrive.
    _run_concurrently(
        [cancel(first[0]), cancel(first[1]), cancel(first[4])] + [register(m) for m in late]
    )

    rows = Registration.objects.filter(event=event)
    assert rows.filter(status="registered").count() == 3
    assert rows.filter(status="cancelled").count() == 3
    waiting = list(
        rows.filter(status="waitlisted").order_by("position").values_list("position", flat=True)
    )
    assert waiting == list(range(1, 5))  # 7 still in, 3 places: 4 wait, ranked without gaps
