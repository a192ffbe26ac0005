"""Boards: ordering with ties, every visibility choice, teams by average, own standing."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.accounts.models import Organization
from portevoix.recognition import selectors, services
from tests import factories
from tests.recognition.conftest import NOON, award

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 12)


def person(org, name, points, *, visibility=None, pseudonym=""):
    membership = factories.make_member(org, ambassador=True)
    membership.user.full_name = name
    membership.user.save(update_fields=["full_name"])
    if points:
        # Comments: 5 points each, under the caps.
        award(membership, "comment", f"{name}-c", count=points // 5, network="")
    if visibility:
        services.preference_set(membership=membership, visibility=visibility, pseudonym=pseudonym)
    return membership


def names(rows):
    return [(row.rank, row.name, row.points) for row in rows]


def test_the_board_ranks_by_points_and_ties_share_a_rank(org):
    a = person(org, "Ada", 20, visibility="name")
    person(org, "Bea", 30, visibility="name")
    person(org, "Cyd", 20, visibility="name")
    person(org, "Dan", 5, visibility="name")
    person(org, "Eve", 0, visibility="name")
    rows = selectors.board(membership=a, period="week", today=DAY)
    assert names(rows) == [(1, "Bea", 30), (2, "Ada", 20), (2, "Cyd", 20), (4, "Dan", 5)]
    assert [row.is_me for row in rows] == [False, True, False, False]


def test_every_visibility_choice(org):
    viewer = person(org, "Viewer", 0)
    person(org, "Named", 30, visibility="name")
    person(org, "Masked", 20, visibility="pseudonym", pseudonym="Le Renard")
    masked_default = person(org, "Anon", 15, visibility="pseudonym")
    hidden = person(org, "Hidden", 50, visibility="hidden")
    rows = selectors.board(membership=viewer, period="all", limit=None, today=DAY)
    shown = [row.name for row in rows]
    generated = selectors.pseudonym_for(masked_default.pk)
    assert shown == ["Named", "Le Renard", generated]
    assert "Anon" not in generated and "Hidden" not in shown and "Masked" not in shown
    # The hidden person is never on the board, and not counted in anyone's rank...
    assert selectors.standing(membership=masked_default, period="all", today=DAY).rank == 3
    # ...but sees their own points and where they would stand.
    mine = selectors.standing(membership=hidden, period="all", today=DAY)
    assert (mine.points, mine.rank, mine.visibility) == (50, 1, "hidden")
    assert all(not row.is_me for row in selectors.board(membership=hidden, today=DAY))


def test_the_organization_sets_the_default(org, admin):
    person(org, "Chose", 10, visibility="name")
    undecided = person(org, "Undecided", 20)
    rows = selectors.board(membership=admin, period="week", today=DAY)
    assert names(rows)[0] == (1, selectors.pseudonym_for(undecided.pk), 20)
    services.default_visibility_set(actor=admin, visibility="hidden")
    assert names(selectors.board(membership=admin, period="week", today=DAY)) == [(1, "Chose", 10)]
    services.default_visibility_set(actor=admin, visibility="name")
    assert Organization.objects.get(pk=org.pk).default_visibility == "name"
    assert [r.name for r in selectors.board(membership=admin, period="week", today=DAY)] == [
        "Undecided",
        "Chose",
    ]


def test_periods_are_kept_apart(org):
    a = person(org, "Ada", 0, visibility="name")
    award(a, "comment", "old", at=NOON - dt.timedelta(days=40), network="")
    award(a, "comment", "now", at=NOON, network="")
    assert names(selectors.board(membership=a, period="week", today=DAY)) == [(1, "Ada", 5)]
    assert names(selectors.board(membership=a, period="all", today=DAY)) == [(1, "Ada", 10)]
    # An unknown period is this month.
    assert names(selectors.board(membership=a, period="decade", today=DAY)) == [(1, "Ada", 5)]


def test_a_team_board_and_the_teams_ranked_by_average(org, admin):
    big = factories.make_member(org)  # placeholders to create teams through the service
    from portevoix.accounts import services as account_services

    paris = account_services.team_create(actor=admin, name="Paris")
    lyon = account_services.team_create(actor=admin, name="Lyon")
    tiny = account_services.team_create(actor=admin, name="Tiny")
    # Paris: 4 members, 40 points in all (average 10). Lyon: 3 members, 45 (average 15).
    for n, points in enumerate((25, 15, 0, 0)):
        person(org, f"P{n}", points, visibility="name").teams.add(paris)
    for n, points in enumerate((45, 0, 0)):
        person(org, f"L{n}", points, visibility="name").teams.add(lyon)
    person(org, "T0", 100, visibility="name").teams.add(tiny)
    teams = selectors.team_board(membership=big, period="week", today=DAY)
    assert [(t.rank, t.name, t.members, t.points, t.average) for t in teams] == [
        (1, "Lyon", 3, 45, 15.0),
        (2, "Paris", 4, 40, 10.0),
    ]
    rows = selectors.board(membership=big, period="week", team_id=paris.pk, today=DAY)
    assert names(rows) == [(1, "P0", 25), (2, "P1", 15)]


def test_an_inactive_member_leaves_the_boards(org):
    viewer = person(org, "Viewer", 0)
    gone = person(org, "Gone", 10, visibility="name")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert selectors.board(membership=viewer, period="week", today=DAY) == []


def test_who_withdrew_leaves_the_boards(org):
    from portevoix.accounts import services as account_services

    viewer = person(org, "Viewer", 0)
    gone = person(org, "Gone", 10, visibility="name")
    person(org, "Stays", 5, visibility="name")
    account_services.ambassador_opt_out(membership=gone)
    assert names(selectors.board(membership=viewer, period="week", today=DAY)) == [(1, "Stays", 5)]
    assert selectors.balance(membership=gone) == (10, 10)
    # A member who never joined the programme (points from a course) stays on the boards.
    award(member := factories.make_member(org), "course_passed", "course:1", network="")
    services.preference_set(membership=member, visibility="name")
    assert [row.points for row in selectors.board(membership=viewer, period="week", today=DAY)] == [
        15,
        5,
    ]


def test_the_board_is_one_query(org, django_assert_num_queries):
    viewer = person(org, "Viewer", 0)
    for n in range(8):
        person(org, f"P{n}", 5 * (n + 1), visibility=("name", "pseudonym")[n % 2])
    selectors.default_visibility(org.pk)
    with django_assert_num_queries(2):  # the organization's default, then the board
        rows = selectors.board(membership=viewer, period="week", today=DAY)
    assert len(rows) == 8


def test_the_choice_is_checked(ambassador):
    from portevoix.core.errors import DomainError

    with pytest.raises(DomainError):
        services.preference_set(membership=ambassador, visibility="everyone")
    with pytest.raises(DomainError):
        services.preference_set(membership=ambassador, visibility="pseudonym", pseudonym="x" * 41)
    chosen = services.preference_set(
        membership=ambassador, visibility="pseudonym", pseudonym="  Le   Renard "
    )
    assert chosen.pseudonym == "Le Renard"
