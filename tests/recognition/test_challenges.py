"""Challenges: progress kept by each ledger entry in scope and period, the target reached
once, the bonus once per qualifying participant (a second trigger pays nothing), who
appears, and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portevoix.accounts import services as account_services
from portevoix.accounts.roles import Role
from portevoix.content.models import Campaign, ContentItem
from portevoix.core import clock
from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.recognition import selectors, services
from portevoix.recognition.models import Challenge, ChallengeParticipant, PointEntry
from portevoix.sharing import services as sharing
from tests import factories
from tests.recognition.conftest import award

pytestmark = pytest.mark.django_db

NETWORKS = ("x", "linkedin", "bluesky", "mastodon", "facebook", "threads")


def make_challenge(admin, **overrides):
    now = clock.now()
    data = {
        "title": "200 partages",
        "description": "",
        "metric": "shares",
        "target": 3,
        "starts_at": now - dt.timedelta(days=1),
        "ends_at": now + dt.timedelta(days=3),
        "scope": "organization",
        "min_score": 1,
        "bonus_points": 50,
        **overrides,
    }
    return services.challenge_create(actor=admin, data=services.ChallengeData(**data))


def share(membership, n, at=None):
    return award(
        membership,
        "share",
        f"share:{membership.pk}:{n}",
        network=NETWORKS[n % 6],
        at=at or clock.now(),
    )


def bonus_rows(challenge):
    return list(
        PointEntry.objects.filter(rule="challenge_bonus", source_id=challenge.pk)
        .order_by("membership_id")
        .values_list("membership_id", "lifetime", "key")
    )


def test_progress_counts_the_events_of_the_period(admin, ambassador):
    challenge = make_challenge(admin, target=10)
    share(ambassador, 0)
    share(ambassador, 1, at=clock.now() - dt.timedelta(days=2))  # before it started
    award(ambassador, "click", "click:1", at=clock.now())  # another metric
    challenge.refresh_from_db()
    assert challenge.progress == 1
    row = selectors.challenge_list(membership=ambassador)[0]
    assert (row.percent, row.my_score, row.status) == (10, 1, "running")


def test_the_bonus_is_paid_once_to_each_qualifying_participant(
    admin, org, django_capture_on_commit_callbacks
):
    challenge = make_challenge(admin, target=4, min_score=2)
    a, b, c = (factories.make_member(org, ambassador=True) for _n in range(3))
    share(a, 0)
    share(a, 1)
    share(b, 0)
    assert bonus_rows(challenge) == []
    with django_capture_on_commit_callbacks(execute=True):
        share(c, 0)  # the 4th: reached (the others' bonuses once it commits)
    challenge.refresh_from_db()
    assert challenge.reached_at is not None and challenge.progress == 4
    assert bonus_rows(challenge) == [(a.pk, 50, f"challenge:{challenge.pk}:{a.pk}")]
    assert services.challenge_pay_bonuses_by_id(challenge_id=challenge.pk) == 0
    # A second trigger pays nobody twice.
    assert services.challenge_pay_bonuses(challenge=challenge) == 0
    share(a, 2)
    assert len(bonus_rows(challenge)) == 1
    # Who qualifies later, while it runs, gets it at their qualifying entry (once).
    share(b, 1)
    share(b, 2)
    assert [m for m, _p, _k in bonus_rows(challenge)] == [a.pk, b.pk]
    assert selectors.balance(membership=a)[0] == 2 * 3 + 50
    assert selectors.stored_totals(organization_id=org.pk) == selectors.ledger_sums(
        organization_id=org.pk
    )


def test_a_recount_leaves_the_bonus_alone(admin, ambassador):
    challenge = make_challenge(admin, target=1)
    share(ambassador, 0)
    assert len(bonus_rows(challenge)) == 1
    services.points_recount(actor=admin, since=clock.now().date() - dt.timedelta(days=2))
    assert selectors.balance(membership=ambassador)[0] == 52


def test_a_share_taken_back_counts_down(admin, ambassador, org):
    challenge = make_challenge(admin, target=10)
    entry = share(ambassador, 0)
    share(ambassador, 1)
    services.points_reverse(organization_id=org.pk, key=entry.key)
    challenge.refresh_from_db()
    assert challenge.progress == 1
    assert ChallengeParticipant.objects.get(challenge=challenge).score == 1


def test_points_challenge_counts_points(admin, ambassador):
    challenge = make_challenge(admin, metric="points", target=100, bonus_points=0)
    award(ambassador, "conversion", "conv:1", network="", at=clock.now())
    challenge.refresh_from_db()
    assert challenge.progress == 20


def test_a_team_challenge_counts_only_its_members(admin, org):
    inside, outside = (factories.make_member(org, ambassador=True) for _n in range(2))
    team = account_services.team_create(actor=admin, name="Recrutement")
    inside.teams.add(team)
    challenge = make_challenge(admin, scope="team", team_id=team.pk, target=10)
    share(inside, 0)
    share(outside, 0)
    challenge.refresh_from_db()
    assert challenge.progress == 1


def test_a_campaign_challenge_counts_the_shares_of_its_items(
    admin, manager, approver, org, django_capture_on_commit_callbacks
):
    campaign = Campaign.objects.create(organization=org, name="Recrutement", slug="recrutement")
    other = factories.make_live_item(manager, approver)
    item = factories.make_live_item(manager, approver)
    ContentItem.objects.filter(pk=item.pk).update(campaign=campaign)
    challenge = make_challenge(admin, scope="campaign", campaign_id=campaign.pk, target=10)
    ambassador = factories.make_member(org, ambassador=True)
    for target in (item, other):
        start = sharing.share_open(membership=ambassador, item_id=target.pk, network="x")
        with django_capture_on_commit_callbacks(execute=True):  # the share commits
            sharing.share_confirm(membership=ambassador, share_id=start.share.pk)
    challenge.refresh_from_db()
    assert challenge.progress == 1


def test_creating_needs_the_role_and_valid_values(admin, ambassador, org, other_org):
    with pytest.raises(PermissionDenied):
        make_challenge(ambassador)
    community = factories.make_member(org, Role.COMMUNITY_MANAGER)
    assert make_challenge(community).pk
    theirs = Campaign.objects.create(organization=other_org, name="Globex", slug="globex")
    with pytest.raises(DomainError) as caught:
        make_challenge(
            admin,
            title=" ",
            metric="likes",
            target=0,
            scope="campaign",
            campaign_id=theirs.pk,
            ends_at=clock.now() - dt.timedelta(days=2),
        )
    assert set(caught.value.field_errors) == {"title", "metric", "target", "ends_at", "campaign"}


def _named(org, name, visibility):
    membership = factories.make_member(org, ambassador=True)
    membership.user.full_name = name
    membership.user.save(update_fields=["full_name"])
    services.preference_set(membership=membership, visibility=visibility)
    return membership


def test_participants_appear_as_they_chose_and_the_hidden_only_to_themselves(client, admin, org):
    challenge = make_challenge(admin, target=10)
    alice = _named(org, "Alice Visible", "name")
    chloe = _named(org, "Chloé Cachée", "hidden")
    share(alice, 0)
    share(chloe, 0)
    share(chloe, 1)
    url = reverse("recognition:challenge", args=[challenge.pk])
    client.force_login(alice.user)
    html = client.get(url).content.decode()
    listed = html.split('id="participants"')[1]
    assert "Alice Visible" in listed and "Chloé Cachée" not in html
    client.force_login(chloe.user)
    html = client.get(url).content.decode()
    listed = html.split('id="participants"')[1]
    assert "Chloé Cachée" not in listed and "Alice Visible" in listed
    assert "Your score: 2" in html


def test_pages_owner_member_outsider_and_methods(client, admin, ambassador, outsider):
    challenge = make_challenge(admin, target=10)
    share(ambassador, 0)
    client.force_login(ambassador.user)
    listing = client.get(reverse("recognition:challenges"))
    assert listing.status_code == 200 and "200 partages" in listing.content.decode()
    detail = reverse("recognition:challenge", args=[challenge.pk])
    assert client.get(detail).status_code == 200
    assert client.post(detail).status_code == 405
    assert client.get(reverse("recognition:challenge_new")).status_code == 403
    client.force_login(admin.user)
    new = reverse("recognition:challenge_new")
    assert client.get(new).status_code == 200
    response = client.post(
        new,
        {
            "title": "Vendredi",
            "metric": "clicks",
            "target": "50",
            "starts_at": "2026-06-01T09:00",
            "ends_at": "2026-06-05T18:00",
            "scope": "organization",
            "min_score": "1",
            "bonus_points": "10",
        },
    )
    assert response.status_code == 302
    assert Challenge.objects.filter(title="Vendredi").exists()
    bad = client.post(
        new,
        {
            **{"title": "X", "metric": "clicks", "target": "5"},
            "starts_at": "2026-06-05T09:00",
            "ends_at": "2026-06-01T09:00",
            "scope": "team",
            "min_score": "1",
            "bonus_points": "0",
        },
    )
    assert bad.status_code == 400
    assert client.put(new).status_code == 405
    client.force_login(outsider.user)
    assert client.get(detail).status_code == 404
    assert client.post(detail).status_code == 404


def test_a_challenge_that_started_already_counts_the_ledger_since_its_start(admin, org):
    a, b = (factories.make_member(org, ambassador=True) for _n in range(2))
    share(a, 0, at=clock.now() - dt.timedelta(hours=5))
    share(a, 1, at=clock.now() - dt.timedelta(hours=4))
    share(b, 0, at=clock.now() - dt.timedelta(days=3))  # before its start
    challenge = make_challenge(admin, target=2, min_score=1)
    challenge.refresh_from_db()
    assert challenge.progress == 2 and challenge.reached_at is not None
    assert [m for m, _p, _k in bonus_rows(challenge)] == [a.pk]


def test_the_list_is_four_queries_whatever_the_number_of_challenges(admin, ambassador, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    team = account_services.team_create(actor=admin, name="Ventes")
    for n in range(4):
        make_challenge(admin, title=f"Défi {n}", scope="team", team_id=team.pk)
    make_challenge(
        admin,
        title="Passé",
        starts_at=clock.now() - dt.timedelta(days=9),
        ends_at=clock.now() - dt.timedelta(days=2),
    )
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.challenge_list(membership=ambassador)
    assert len(queries) <= 4
    assert [r.status for r in rows].count("finished") == 1
    assert {r.scope_name for r in rows if r.status == "running"} == {"Ventes"}
