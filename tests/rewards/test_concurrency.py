"""Concurrent redemptions never spend the same points, never take more than the stock and
never pass the month's budget: threads (SQLite: IMMEDIATE transactions; PostgreSQL: row
locks) and processes (each its own connection: to the PostgreSQL server, or to SQLite's
file database of the transactional tests)."""

from __future__ import annotations

import contextlib
import multiprocessing

import pytest
from django.db import connection, connections

from portevoix.core.errors import DomainError
from portevoix.recognition import selectors as recognition_selectors
from portevoix.rewards import services
from portevoix.rewards.models import HOLDING, Redemption, Reward
from tests import factories
from tests.rewards.conftest import configure, give_points, make_reward, spendable
from tests.training.test_concurrency import _run_concurrently

pytestmark = pytest.mark.slow


def _request(membership, reward_id):
    def job():
        # Refused (not enough points, out of stock, over budget) is an expected outcome.
        with contextlib.suppress(DomainError):
            services.redemption_request(membership=membership, reward_id=reward_id)

    return job


def _consistent(org_id):
    assert recognition_selectors.stored_totals(
        organization_id=org_id
    ) == recognition_selectors.ledger_sums(organization_id=org_id)


@pytest.mark.django_db(transaction=True)
def test_two_requests_never_spend_the_same_points():
    org = factories.make_org()
    admin = factories.make_member(org, "admin")
    member = factories.make_member(org, ambassador=True)
    configure(admin, first_needs_approval=False)
    reward = make_reward(admin, cost=30)
    give_points(member, 90)  # three, not eight
    _run_concurrently([_request(member, reward.pk) for _ in range(8)])
    assert Redemption.objects.filter(status__in=HOLDING).count() == 3
    assert spendable(member) == 0
    _consistent(org.pk)


@pytest.mark.django_db(transaction=True)
def test_stock_never_goes_below_zero():
    org = factories.make_org()
    admin = factories.make_member(org, "admin")
    reward = make_reward(admin, cost=15, stock=2)
    members = [factories.make_member(org, ambassador=True) for _ in range(6)]
    for member in members:
        give_points(member, 15)
    _run_concurrently([_request(member, reward.pk) for member in members])
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert Redemption.objects.count() == 2
    assert sum(spendable(m) for m in members) == 15 * 4
    _consistent(org.pk)


@pytest.mark.django_db(transaction=True)
def test_the_budget_is_never_passed():
    org = factories.make_org()
    admin = factories.make_member(org, "admin")
    configure(admin, budget=45)
    reward = make_reward(admin, cost=15)
    members = [factories.make_member(org, ambassador=True) for _ in range(6)]
    for member in members:
        give_points(member, 15)
    _run_concurrently([_request(member, reward.pk) for member in members])
    assert Redemption.objects.count() == 3


def _child(membership_id, reward_id, start, results):
    import django

    django.setup()
    from portevoix.accounts.models import Membership

    connections.close_all()
    membership = Membership.objects.select_related("organization").get(pk=membership_id)
    start.wait(30)
    try:
        services.redemption_request(membership=membership, reward_id=reward_id)
        results.put("ok")
    except DomainError:
        results.put("refused")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_processes_never_spend_the_same_points():
    # On SQLite the transactional tests' database is a file (config/settings_test.py), which
    # the forked processes open each for themselves.
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("an in-memory SQLite database is not shared between processes")
    org = factories.make_org()
    admin = factories.make_member(org, "admin")
    member = factories.make_member(org, ambassador=True)
    configure(admin, first_needs_approval=False)
    reward = make_reward(admin, cost=30, stock=10)
    give_points(member, 60)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    start = context.Barrier(6)
    results = context.Queue()
    children = [
        context.Process(target=_child, args=(member.pk, reward.pk, start, results))
        for _ in range(6)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
    outcomes = sorted(results.get(timeout=5) for _ in children)
    assert outcomes == ["ok", "ok", "refused", "refused", "refused", "refused"]
    assert spendable(member) == 0
    assert Reward.objects.get(pk=reward.pk).stock == 8
    _consistent(org.pk)
