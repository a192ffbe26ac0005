"""The "listed" flag on the totals: a rank counts the listed rows above on an index, so the
flag must follow every change of a member's state (decision 0033)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from portevoix.accounts.models import AmbassadorProfile, Membership
from portevoix.accounts.services import ambassador_opt_out, organization_close
from portevoix.accounts.services.provisioning import member_deprovision, member_reactivate
from portevoix.recognition import selectors, services
from portevoix.recognition.models import PointTotal
from tests import factories
from tests.recognition.conftest import award, histogram_agrees

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 12)


def member(org, points, *, visibility="name"):
    membership = factories.make_member(org, ambassador=True)
    if points:
        award(membership, "comment", f"m{membership.pk}", count=points // 5, network="")
    services.preference_set(membership=membership, visibility=visibility)
    return membership


def rank(membership, period="all"):
    return selectors.standing(membership=membership, period=period, today=DAY).rank


def flags(membership):
    return set(PointTotal.objects.filter(membership=membership).values_list("listed", flat=True))


def expected_rank(membership, period="all"):
    """The rank as the boards' join gives it: listed members with more points, plus one."""
    org_id = membership.organization_id
    start = selectors._period(period, DAY)[1]
    mine = PointTotal.objects.get(membership=membership, period=period, start=start).points
    default = selectors.default_visibility(org_id)
    above = (
        selectors._totals(org_id, period, start, None)
        .filter(points__gt=mine)
        .filter(selectors._visible(default))
        .count()
    )
    return above + 1


def test_each_change_of_state_moves_the_rank_at_once(org):
    top = member(org, 50)
    me = member(org, 20)
    member(org, 5)
    assert rank(me) == 2 and flags(top) == {True}
    services.preference_set(membership=top, visibility="hidden")
    assert rank(me) == 1 and flags(top) == {False}
    services.preference_set(membership=top, visibility="pseudonym")
    assert rank(me) == 2 and flags(top) == {True}
    ambassador_opt_out(membership=top)
    assert rank(me) == 1 and flags(top) == {False}
    AmbassadorProfile.objects.filter(membership=top).update(opted_in=True, opted_out_at=None)
    services.listing_refresh(organization_id=org.pk, membership_ids=[top.pk])  # no signal
    assert rank(me) == 2
    member_deprovision(membership=top)
    assert rank(me) == 1 and flags(top) == {False}
    member_reactivate(membership=top)
    # Deprovisioning also withdrew them: active again, still not on the boards.
    assert rank(me) == 1 == expected_rank(me) and flags(top) == {False}
    AmbassadorProfile.objects.filter(membership=top).update(opted_in=True, opted_out_at=None)
    assert rank(me) == 1  # the bulk update told nobody
    services.listing_refresh(organization_id=org.pk)
    assert rank(me) == 2 == expected_rank(me) and flags(top) == {True}


def test_a_row_created_for_an_unlisted_member_is_created_unlisted(org):
    hidden = member(org, 0, visibility="hidden")
    me = member(org, 10)
    award(hidden, "comment", "later", count=4, network="")  # its first rows
    assert PointTotal.objects.filter(membership=hidden).count() == 4
    assert flags(hidden) == {False}
    assert rank(me) == 1
    assert rank(hidden) == 1  # where they would stand: above me, and nobody listed above


def test_the_daily_check_sets_again_what_no_signal_told(org):
    top = member(org, 50)
    me = member(org, 20)
    # Changes made behind the signals' back (bulk updates).
    Membership.objects.filter(pk=top.pk).update(is_active=False)
    assert rank(me) == 2  # stale until the check
    assert services.listing_check() == 4  # the four periods of `top`
    assert rank(me) == 1 == expected_rank(me)
    assert services.listing_check() == 0  # nothing left to change
    Membership.objects.filter(pk=top.pk).update(is_active=True)
    assert services.listing_check() == 4
    assert rank(me) == 2


def test_a_closed_organization_lists_nobody(org, admin):
    a = member(org, 10)
    b = member(org, 20)
    organization_close(organization_id=org.pk)
    assert flags(a) == flags(b) == {False}


def test_the_rank_equals_the_joins_count_whatever_the_states(org):
    rnd = random.Random(12)
    people = [member(org, rnd.choice([5, 10, 10, 15, 40, 55])) for _ in range(14)]
    actions = ["hidden", "name", "pseudonym", "withdraw", "rejoin", "deactivate", "reactivate"]
    unlisted_seen = False
    for step in range(40):
        who = Membership.objects.get(pk=rnd.choice(people).pk)
        action = rnd.choice(actions)
        profile = AmbassadorProfile.objects.get(membership=who)
        if action in {"hidden", "name", "pseudonym"}:  # a save through the model
            profile.visibility = action
            profile.save(update_fields=["visibility"])
        elif action == "withdraw" and who.is_active:
            ambassador_opt_out(membership=who)
        elif action == "rejoin":
            profile.opted_in, profile.opted_out_at = True, None
            profile.save(update_fields=["opted_in", "opted_out_at"])
        elif action == "deactivate" and who.is_active:
            member_deprovision(membership=who)
        elif action == "reactivate":
            member_reactivate(membership=who)
        viewer = rnd.choice(people)
        for period in ("week", "all"):
            assert rank(viewer, period) == expected_rank(viewer, period), (step, action)
        if step % 8 == 0:  # points move too
            award(who, "comment", f"more{step}", count=rnd.choice([1, 2]), network="")
        assert histogram_agrees(org.pk), (step, action)
        unlisted_seen |= PointTotal.objects.filter(listed=False).exists()
    assert unlisted_seen
    assert services.listing_check() == 0  # the signals left nothing stale


def test_a_big_teams_board_walks_the_organizations_board_to_the_same_top(org, monkeypatch):
    from portevoix.accounts.models import Team

    team = Team.objects.create(organization=org, name="Ventes")
    people = [
        member(org, 5 * (k % 7 + 1), visibility=("name", "pseudonym")[k % 2]) for k in range(30)
    ]
    for k, person in enumerate(people):
        person.user.full_name = f"Person {k}"
        person.user.save(update_fields=["full_name"])
        if k % 3:
            person.teams.add(team)
    services.preference_set(membership=people[4], visibility="hidden")
    ambassador_opt_out(membership=people[5])
    Membership.objects.filter(pk=people[7].pk).update(is_active=False)  # flag left stale
    probed = selectors.board(
        membership=people[1], period="all", team_id=team.pk, today=DAY, limit=8
    )
    monkeypatch.setattr(selectors, "TEAM_PROBE_MAX", 0)  # the walk, in chunks of 3
    monkeypatch.setattr(selectors, "TEAM_WALK_CHUNK", 3)
    walked = selectors.board(
        membership=people[1], period="all", team_id=team.pk, today=DAY, limit=8
    )
    assert walked == probed and len(walked) == 8
    everyone = selectors.board(
        membership=people[1], period="all", team_id=team.pk, today=DAY, limit=None
    )
    assert walked == everyone[:8]
    shown = {row.name for row in everyone}
    assert "Person 2" in shown  # named, in the team
    for gone in (people[4], people[5], people[7]):  # hidden, withdrawn, deactivated
        assert gone.user.full_name not in shown and selectors.pseudonym_for(gone.pk) not in shown
