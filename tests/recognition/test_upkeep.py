"""The totals kept for the boards stay what a recount gives: the teams' totals and sizes
follow the ledger, the team links (every way of changing them) and the reversals; the
teams' board and the rank equal a naive recount, with every visibility choice, inactive and
withdrawn members and each organization default."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portevoix.accounts import services as account_services
from portevoix.accounts.models import Membership, Team
from portevoix.recognition import selectors, services
from portevoix.recognition.models import PointTotal, TeamSize, TeamTotal
from portevoix.recognition.periods import period_start
from tests import factories
from tests.recognition.conftest import NOON, award

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 12)


def kept(org):
    totals = {
        (t, p, s): points
        for t, p, s, points in TeamTotal.objects.filter(organization=org).values_list(
            "team_id", "period", "start", "points"
        )
        if points
    }
    sizes = {
        t: n
        for t, n in TeamSize.objects.filter(organization=org).values_list("team_id", "members")
        if n
    }
    return totals, sizes


def recounted(org):
    """The teams' totals and sizes from the members' totals and the links, by hand."""
    links = Membership.teams.through.objects.filter(membership__organization=org)
    teams_of = defaultdict(list)
    sizes: dict[int, int] = defaultdict(int)
    for membership_id, team_id in links.values_list("membership_id", "team_id"):
        teams_of[membership_id].append(team_id)
        sizes[team_id] += 1
    totals: dict[tuple, int] = defaultdict(int)
    for m, p, s, points in PointTotal.objects.filter(organization=org).values_list(
        "membership_id", "period", "start", "points"
    ):
        for team_id in teams_of[m]:
            totals[(team_id, p, s)] += points
    return {k: v for k, v in totals.items() if v}, dict(sizes)


def naive_team_board(org, period="week"):
    """(name, active members, points of the active and not withdrawn, average) of each team
    of at least 3 active members, from the rows themselves."""
    start = period_start(period, DAY)
    rows = []
    for team in Team.objects.filter(organization=org):
        members = list(team.memberships.select_related("ambassador"))
        active = [m for m in members if m.is_active]
        if len(active) < selectors.MIN_TEAM_SIZE:
            continue
        counted = [
            m
            for m in active
            if not (
                hasattr(m, "ambassador")
                and not m.ambassador.opted_in
                and m.ambassador.opted_out_at is not None
            )
        ]
        points = sum(
            PointTotal.objects.filter(
                membership__in=counted, period=period, start=start
            ).values_list("points", flat=True)
        )
        rows.append((team.name, len(active), points, round(points / len(active), 1)))
    return sorted(rows, key=lambda row: (-row[3], row[0]))


def board_teams(viewer):
    return sorted(
        (
            (t.name, t.members, t.points, t.average)
            for t in selectors.team_board(membership=viewer, period="week", today=DAY)
        ),
        key=lambda row: (-row[3], row[0]),
    )


def test_team_totals_follow_the_ledger_the_links_and_the_reversals(org, admin):
    paris = account_services.team_create(actor=admin, name="Paris")
    lyon = account_services.team_create(actor=admin, name="Lyon")
    people = [factories.make_member(org, ambassador=True) for _ in range(5)]
    for n, member in enumerate(people):
        award(member, "comment", f"c{n}", count=n + 1, network="")
        award(member, "comment", f"old{n}", at=NOON - dt.timedelta(days=60), network="")
    # Joining brings the member's totals (every period) to the team; both sides of the link.
    for member in people[:4]:
        member.teams.add(paris)
    lyon.memberships.add(people[3], people[4])
    assert kept(org) == recounted(org)
    # New points reach every team of the member, one at a time and in a batch.
    award(people[3], "comment", "late", network="")
    services.points_award_many(
        awards=[
            services.Award(
                organization_id=org.pk,
                membership_id=people[k].pk,
                rule="click",
                source_type="click",
                source_id=k,
                key=f"click:{k}",
                at=NOON,
                network="x",
            )
            for k in range(5)
        ]
    )
    assert kept(org) == recounted(org)
    # A reversal takes the points away from the teams too.
    services.points_reverse(organization_id=org.pk, key="late")
    assert kept(org) == recounted(org)
    # Leaving, clearing and setting the links move the totals and the sizes.
    people[0].teams.remove(paris)
    people[1].teams.set([lyon])
    lyon.memberships.remove(people[4])
    people[2].teams.clear()
    people[2].teams.remove(lyon)  # not linked: nothing moves
    assert kept(org) == recounted(org)
    lyon.memberships.set([people[0], people[2], people[3]])
    assert kept(org) == recounted(org)
    # The board reads the kept rows and equals the recount from the members' rows.
    assert board_teams(admin) == naive_team_board(org)
    assert [row[:2] for row in board_teams(admin)] == [("Lyon", 3)]  # Paris: 1 member
    lyon.memberships.add(people[1], people[4])
    # An inactive member leaves the size and the sum; a withdrawn one leaves the sum only.
    people[0].is_active = False
    people[0].save(update_fields=["is_active"])
    account_services.ambassador_opt_out(membership=people[3])
    assert board_teams(admin) == naive_team_board(org)
    assert [row[:2] for row in board_teams(admin)] == [("Lyon", 4)]
    # A deleted team takes its rows with it.
    lyon.delete()
    assert kept(org) == recounted(org)


def test_a_new_team_totals_upkeep_is_a_few_statements(org, admin, django_assert_max_num_queries):
    team = account_services.team_create(actor=admin, name="Paris")
    member = factories.make_member(org, ambassador=True)
    award(member, "comment", "c", network="")
    with django_assert_max_num_queries(12):
        member.teams.add(team)
    assert kept(org) == recounted(org)


VISIBILITIES = ["", "name", "pseudonym", "hidden"]


@pytest.mark.slow
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(
        st.tuples(
            st.integers(0, 4),  # comments (5 points each)
            st.sampled_from(VISIBILITIES),
            st.booleans(),  # active
            st.booleans(),  # withdrew
        ),
        min_size=1,
        max_size=7,
    ),
    default=st.sampled_from(["name", "pseudonym", "hidden"]),
    period=st.sampled_from(["week", "all"]),
)
def test_the_rank_equals_a_naive_recount(people, default, period):
    with transaction.atomic():
        org = factories.make_org()
        admin = factories.make_member(org, "admin")
        services.default_visibility_set(actor=admin, visibility=default)
        members = []
        for n, (comments, visibility, active, withdrew) in enumerate(people):
            member = factories.make_member(org, ambassador=True)
            if comments:
                award(member, "comment", f"c{n}", count=comments, network="")
            if visibility:
                services.preference_set(membership=member, visibility=visibility, pseudonym="")
            if withdrew:
                account_services.ambassador_opt_out(membership=member)
            if not active:
                member.is_active = False
                member.save(update_fields=["is_active"])
            listed = active and not withdrew and (visibility or default) != "hidden"
            members.append((member, comments * 5, listed))
        for member, points, _listed in members:
            expected = None
            if points:
                expected = 1 + sum(
                    1 for other, p, listed in members if listed and other != member and p > points
                )
            got = selectors.standing(membership=member, period=period, today=DAY)
            assert (got.points, got.rank) == (points, expected)
            # The board agrees: a listed member's rank is their row's.
            if expected is not None and members[[m for m, *_ in members].index(member)][2]:
                rows = selectors.board(membership=member, period=period, limit=None, today=DAY)
                assert [row.rank for row in rows if row.is_me] == [expected]
        transaction.set_rollback(True)
