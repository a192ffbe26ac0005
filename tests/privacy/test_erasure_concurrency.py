"""Two workers run the periodic erasure at the same moment: each person is erased once.

Real transactions and real threads, each with its own database connection: on PostgreSQL the
membership row lock (SELECT ... FOR UPDATE) makes the second wait and then find the person
erased; on SQLite the IMMEDIATE transactions do.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from portevoix.accounts import services as account_services
from portevoix.accounts.models import Membership, User
from portevoix.governance.models import AuditEntry
from portevoix.privacy import erasure
from tests import factories

pytestmark = pytest.mark.slow

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_two_workers_erase_each_person_once() -> None:
    org = factories.make_org()
    leavers = []
    for n in range(3):
        person = factories.make_member(org, email=f"left{n}@acme.test", ambassador=True)
        account_services.member_deprovision(membership=person)
        leavers.append(person)
    Membership.objects.filter(pk__in=[p.pk for p in leavers]).update(
        left_at=NOW - dt.timedelta(days=31)
    )
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(erasure.erasures_run(now=NOW))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads) and errors == []
    # Each of the three erased once, whichever worker did it.
    assert sum(results) == 3
    assert AuditEntry.objects.filter(action="privacy.member_erased").count() == 3
    assert Membership.objects.filter(pk__in=[p.pk for p in leavers], erased_at=None).count() == 0
    assert not User.objects.filter(email__startswith="left").exists()
    # One pseudonymous account per person, not two.
    assert User.objects.filter(email__endswith="@erased.invalid").count() == 3
