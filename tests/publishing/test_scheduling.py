"""Cadence rules, the best-time heatmap and the best slot (portevoix.publishing.scheduling).

Every test passes a fixed `now`: nothing depends on the day the suite runs."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from portevoix.accounts.models import Membership, Team
from portevoix.content.models import ContentItem
from portevoix.publishing import scheduling
from portevoix.publishing.models import CadenceRule, EngagementSnapshot, Post, PostState
from portevoix.sharing import services as sharing_services
from portevoix.sharing.models import Click
from tests import factories
from tests.factories import make_live_item

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def new_york(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.TIME_ZONE = "Europe/Paris"
    with translation.override("en"):
        yield


@pytest.fixture
def item(manager, approver) -> ContentItem:
    return make_live_item(manager, approver)


def make_post(
    membership: Membership,
    item: ContentItem,
    at: dt.datetime,
    *,
    network: str = "linkedin",
    state: str = PostState.SCHEDULED,
    published_at: dt.datetime | None = None,
) -> Post:
    link = sharing_services.link_get_or_create(membership=membership, item=item, network=network)
    return Post.objects.create(
        organization_id=membership.organization_id,
        membership=membership,
        network=network,
        item=item,
        link=link,
        text="Nous recrutons !",
        scheduled_at=at,
        state=state,
        published_at=published_at,
        created_at=at - dt.timedelta(days=1),
    )


def add_clicks(
    membership: Membership,
    item: ContentItem,
    times: Iterable[dt.datetime],
    *,
    network: str = "linkedin",
    counted: bool = True,
) -> None:
    link = sharing_services.link_get_or_create(membership=membership, item=item, network=network)
    Click.objects.bulk_create(
        [
            Click(
                organization_id=membership.organization_id,
                link=link,
                item_id_copy=item.pk,
                membership_id_copy=membership.pk,
                network=network,
                at=at,
                day=at.astimezone(UTC).date(),
                visitor=uuid.uuid4().hex,
                counted=counted,
                click_id=uuid.uuid4().hex,
                journal_key=uuid.uuid4().hex,
            )
            for at in times
        ]
    )


def weekly(first: dt.datetime, n: int) -> list[dt.datetime]:
    """`n` moments at the same local weekday and time, one a week going back from `first`
    (several per week when n > 10, a minute apart)."""
    return [first - dt.timedelta(weeks=i % 10, minutes=i // 10) for i in range(n)]


def rule(org, network: str = "linkedin", *, max_per_day: int = 0, gap: int = 0) -> CadenceRule:
    return CadenceRule.objects.create(
        organization=org, network=network, max_per_day=max_per_day, min_gap_minutes=gap
    )


def set_tz(membership: Membership, name: str) -> None:
    membership.user.time_zone = name
    membership.user.save(update_fields=["time_zone"])


# --- Time zones


def test_tz_of_uses_the_users_zone_else_the_platforms(ambassador, settings):
    assert scheduling.tz_of(ambassador) == PARIS
    set_tz(ambassador, "America/New_York")
    assert scheduling.tz_of(ambassador) == NEW_YORK
    for invalid in ("Mars/Olympus_Mons", "../../etc/passwd", "   "):
        set_tz(ambassador, invalid)
        assert scheduling.tz_of(ambassador) == PARIS
    settings.TIME_ZONE = "Asia/Tokyo"
    assert scheduling.tz_of(ambassador) == ZoneInfo("Asia/Tokyo")


def test_local_instants_skip_the_missing_hour_and_double_the_repeated_one():
    assert scheduling._local_instants(dt.date(2026, 3, 29), 2, 0, PARIS) == []
    assert scheduling._local_instants(dt.date(2026, 3, 29), 3, 0, PARIS) == [
        dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    ]
    assert scheduling._local_instants(dt.date(2026, 10, 25), 2, 0, PARIS) == [
        dt.datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
        dt.datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    ]


# --- Cadence


def test_no_rule_no_reason(ambassador, item, org):
    make_post(ambassador, item, paris(2025, 11, 25, 8, 0))
    at = paris(2025, 11, 25, 8, 0)
    assert scheduling.cadence_reasons(membership=ambassador, network="linkedin", at=at) == []
    assert scheduling.next_allowed(membership=ambassador, network="linkedin", at=at) == at
    # An all-zero rule is no rule either.
    rule(org, max_per_day=0, gap=0)
    assert scheduling.cadence_reasons(membership=ambassador, network="linkedin", at=at) == []


def test_max_per_day_counts_the_local_day(ambassador, item, org):
    rule(org, max_per_day=1)
    make_post(ambassador, item, paris(2025, 11, 25, 8, 0))
    reasons = scheduling.cadence_reasons(
        membership=ambassador, network="linkedin", at=paris(2025, 11, 25, 18, 0)
    )
    assert reasons == [
        "At most 1 post a day on LinkedIn: you already have one on Tue 25 Nov at 08:00."
    ]
    assert (
        scheduling.cadence_reasons(
            membership=ambassador, network="linkedin", at=paris(2025, 11, 26, 8, 0)
        )
        == []
    )
    # Another network, another ambassador: not concerned.
    assert (
        scheduling.cadence_reasons(membership=ambassador, network="x", at=paris(2025, 11, 25, 18))
        == []
    )


def test_a_post_at_23_30_and_one_at_00_30_are_two_local_days(ambassador, item, org):
    rule(org, max_per_day=1)
    late = make_post(ambassador, item, paris(2025, 11, 25, 23, 30))  # 22:30 UTC
    # 00:30 Paris on Wednesday is still Tuesday in UTC: another local day, accepted.
    after_midnight = paris(2025, 11, 26, 0, 30)
    assert after_midnight.astimezone(UTC).date() == dt.date(2025, 11, 25)
    assert (
        scheduling.cadence_reasons(membership=ambassador, network="linkedin", at=after_midnight)
        == []
    )
    # The same local day as the 23:30 post, even in the morning: refused.
    assert scheduling.cadence_reasons(
        membership=ambassador, network="linkedin", at=paris(2025, 11, 25, 0, 10)
    ) == ["At most 1 post a day on LinkedIn: you already have one on Tue 25 Nov at 23:30."]
    # A post at 00:30 on Wednesday fills Wednesday, not Tuesday.
    late.delete()
    make_post(ambassador, item, after_midnight)
    assert (
        scheduling.cadence_reasons(
            membership=ambassador, network="linkedin", at=paris(2025, 11, 25, 23, 0)
        )
        == []
    )
    assert scheduling.cadence_reasons(
        membership=ambassador, network="linkedin", at=paris(2025, 11, 26, 21, 0)
    ) == ["At most 1 post a day on LinkedIn: you already have one on Wed 26 Nov at 00:30."]


def test_max_per_day_above_one_lists_the_posts(ambassador, item, org):
    rule(org, max_per_day=2)
    make_post(ambassador, item, paris(2025, 11, 25, 12, 0))
    at = paris(2025, 11, 25, 20, 0)
    assert scheduling.cadence_reasons(membership=ambassador, network="linkedin", at=at) == []
    make_post(ambassador, item, paris(2025, 11, 25, 8, 0))
    assert scheduling.cadence_reasons(membership=ambassador, network="linkedin", at=at) == [
        "At most 2 posts a day on LinkedIn: you already have 2 on Tue 25 Nov, at 08:00, 12:00."
    ]


def test_min_gap_refuses_both_sides(ambassador, item, org):
    rule(org, "x", gap=120)
    make_post(ambassador, item, paris(2025, 11, 25, 14, 30), network="x")
    expected = "At least 2 hours between two posts on X: another post is at 14:30."
    for at in (paris(2025, 11, 25, 12, 31), paris(2025, 11, 25, 14, 30), paris(2025, 11, 25, 16)):
        assert scheduling.cadence_reasons(membership=ambassador, network="x", at=at) == [expected]
    # Exactly the gap away, on either side: accepted.
    for at in (paris(2025, 11, 25, 12, 30), paris(2025, 11, 25, 16, 30)):
        assert scheduling.cadence_reasons(membership=ambassador, network="x", at=at) == []


def test_min_gap_names_the_day_when_the_other_post_is_another_day(ambassador, item, org):
    rule(org, gap=90)
    make_post(ambassador, item, paris(2025, 11, 26, 0, 30))
    assert scheduling.cadence_reasons(
        membership=ambassador, network="linkedin", at=paris(2025, 11, 25, 23, 30)
    ) == [
        "At least 1 hour 30 minutes between two posts on LinkedIn: another post is on "
        "Wed 26 Nov at 00:30."
    ]


def test_both_rules_give_two_reasons(ambassador, item, org):
    rule(org, max_per_day=1, gap=45)
    make_post(ambassador, item, paris(2025, 11, 25, 8, 0))
    assert scheduling.cadence_reasons(
        membership=ambassador, network="linkedin", at=paris(2025, 11, 25, 8, 30)
    ) == [
        "At most 1 post a day on LinkedIn: you already have one on Tue 25 Nov at 08:00.",
        "At least 45 minutes between two posts on LinkedIn: another post is at 08:00.",
    ]


def test_failed_and_cancelled_posts_do_not_count(ambassador, item, org):
    rule(org, max_per_day=1, gap=120)
    make_post(ambassador, item, paris(2025, 11, 25, 8, 0), state=PostState.FAILED)
    make_post(ambassador, item, paris(2025, 11, 25, 9, 0), state=PostState.CANCELLED)
    at = paris(2025, 11, 25, 9, 0)
    assert scheduling.cadence_reasons(membership=ambassador, network="linkedin", at=at) == []
    for state in (
        PostState.AWAITING_APPROVAL,
        PostState.HELD,
        PostState.PUBLISHING,
        PostState.SCHEDULED,
    ):
        post = make_post(ambassador, item, paris(2025, 11, 25, 8, 0), state=state)
        assert scheduling.cadence_reasons(membership=ambassador, network="linkedin", at=at)
        post.delete()


def test_a_published_post_counts_when_it_was_published(ambassador, item, org):
    rule(org, max_per_day=1)
    # Scheduled for Monday, actually published on Tuesday at 10:15.
    make_post(
        ambassador,
        item,
        paris(2025, 11, 24, 8, 0),
        state=PostState.PUBLISHED,
        published_at=paris(2025, 11, 25, 10, 15),
    )
    assert (
        scheduling.cadence_reasons(
            membership=ambassador, network="linkedin", at=paris(2025, 11, 24, 18, 0)
        )
        == []
    )
    assert scheduling.cadence_reasons(
        membership=ambassador, network="linkedin", at=paris(2025, 11, 25, 18, 0)
    ) == ["At most 1 post a day on LinkedIn: you already have one on Tue 25 Nov at 10:15."]


def test_exclude_post_id_lets_a_post_be_rescheduled(ambassador, item, org, member):
    rule(org, max_per_day=1, gap=60)
    post = make_post(ambassador, item, paris(2025, 11, 25, 8, 0))
    at = paris(2025, 11, 25, 8, 30)
    assert scheduling.cadence_reasons(membership=ambassador, network="linkedin", at=at)
    assert (
        scheduling.cadence_reasons(
            membership=ambassador, network="linkedin", at=at, exclude_post_id=post.pk
        )
        == []
    )
    # Someone else's posts never count.
    assert scheduling.cadence_reasons(membership=member, network="linkedin", at=at) == []


# --- next_allowed


def test_next_allowed_jumps_to_the_end_of_the_gap(ambassador, item, org):
    rule(org, "x", gap=120)
    make_post(ambassador, item, paris(2025, 11, 25, 14, 30), network="x")
    make_post(ambassador, item, paris(2025, 11, 25, 16, 0), network="x")
    found = scheduling.next_allowed(
        membership=ambassador, network="x", at=paris(2025, 11, 25, 14, 0)
    )
    assert found == paris(2025, 11, 25, 18, 0)
    # Already allowed: the moment itself.
    at = paris(2025, 11, 25, 9, 0)
    assert scheduling.next_allowed(membership=ambassador, network="x", at=at) == at


def test_next_allowed_moves_a_full_day_to_the_next_morning(ambassador, item, org):
    rule(org, max_per_day=1)
    make_post(ambassador, item, paris(2025, 11, 25, 8, 0))
    found = scheduling.next_allowed(
        membership=ambassador, network="linkedin", at=paris(2025, 11, 25, 9, 0)
    )
    assert found == paris(2025, 11, 26, 8, 0)
    assert found is not None and found.utcoffset() == dt.timedelta(0)


def test_next_allowed_combines_day_and_gap(ambassador, item, org):
    rule(org, max_per_day=1, gap=600)
    make_post(ambassador, item, paris(2025, 11, 25, 23, 0))
    # Tuesday is full; Wednesday 08:00 is 9 hours after the post: 09:00.
    found = scheduling.next_allowed(
        membership=ambassador, network="linkedin", at=paris(2025, 11, 25, 12, 0)
    )
    assert found == paris(2025, 11, 26, 9, 0)


def test_next_allowed_gives_up_after_the_horizon(ambassador, item, org):
    rule(org, max_per_day=1)
    for day in range(25, 29):
        make_post(ambassador, item, paris(2025, 11, day, 12, 0))
    at = paris(2025, 11, 25, 9, 0)
    assert (
        scheduling.next_allowed(membership=ambassador, network="linkedin", at=at, horizon_days=2)
        is None
    )
    assert scheduling.next_allowed(
        membership=ambassador, network="linkedin", at=at, horizon_days=5
    ) == paris(2025, 11, 29, 8, 0)


def test_next_allowed_over_the_dst_change(ambassador, item, org):
    rule(org, max_per_day=1)
    make_post(ambassador, item, paris(2026, 3, 28, 8, 0))
    found = scheduling.next_allowed(
        membership=ambassador, network="linkedin", at=paris(2026, 3, 28, 10, 0)
    )
    # Sunday 29 March 08:00 is summer time already: 06:00 UTC.
    assert found == dt.datetime(2026, 3, 29, 6, 0, tzinfo=UTC)


def test_naive_datetimes_are_refused(ambassador):
    with pytest.raises(ValueError):
        scheduling.cadence_reasons(
            membership=ambassador, network="linkedin", at=dt.datetime(2025, 11, 25, 8)
        )


# --- Heatmap: fallback levels


NOW = paris(2025, 11, 22, 12, 0)  # a Saturday


def test_defaults_without_data(ambassador):
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "defaults"
    assert themap.events == 0
    assert themap.tz == "Europe/Paris"
    assert themap.label.startswith("Recommended defaults")
    assert "Sunday morning on LinkedIn" in themap.label
    w = themap.weights
    assert len(w) == 7 and all(len(row) == 24 for row in w)
    assert all(0.0 <= x <= 1.0 for row in w for x in row)
    for day in range(5):
        for hour in (7, 8, 12, 13, 18, 19, 20):
            assert w[day][hour] >= 0.85
        for hour in range(0, 6):
            assert w[day][hour] == 0.0
        assert w[day][10] < w[day][8]
    assert 0.3 <= w[5][11] <= 0.6  # Saturday: moderate
    assert w[6][9] == w[6][10] == 1.0  # Sunday morning on LinkedIn
    on_x = scheduling.heatmap(membership=ambassador, network="x", now=NOW)
    assert on_x.weights[6][9] < 1.0
    assert "LinkedIn" not in on_x.label


def test_own_clicks_from_30_events(ambassador, item):
    times = weekly(paris(2025, 11, 18, 9, 20), 30)  # Tuesdays 09:20
    add_clicks(ambassador, item, times[:29])
    assert scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW).source == (
        "defaults"
    )
    add_clicks(ambassador, item, times[29:])
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "own"
    assert themap.events == 30
    assert themap.label == "From your own clicks and engagement"
    assert themap.weights[1][9] == 1.0
    assert sum(sum(row) for row in themap.weights) == 1.0


def test_what_is_not_counted(ambassador, item, other_org):
    # Not counted, another network, older than 90 days, after now: all ignored.
    add_clicks(ambassador, item, weekly(paris(2025, 11, 18, 9, 20), 40), counted=False)
    add_clicks(ambassador, item, weekly(paris(2025, 11, 18, 9, 20), 40), network="x")
    add_clicks(ambassador, item, weekly(paris(2025, 8, 18, 9, 20), 40))
    add_clicks(ambassador, item, [NOW + dt.timedelta(hours=i) for i in range(1, 41)])
    # Another organization, same membership id copy impossible: its rows are not ours.
    outsider = factories.make_member(other_org, email="far@globex.test")
    other_item = make_live_item(
        factories.make_member(other_org, factories.ROLES.CONTENT_MANAGER),
        factories.make_member(other_org, factories.ROLES.APPROVER),
    )
    add_clicks(outsider, other_item, weekly(paris(2025, 11, 18, 9, 20), 200))
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "defaults"


def test_engagement_of_published_posts_counts_at_the_publication_hour(ambassador, item, member):
    published = paris(2025, 11, 20, 17, 40)  # Thursday
    post = make_post(
        ambassador,
        item,
        published - dt.timedelta(minutes=5),
        state=PostState.PUBLISHED,
        published_at=published,
    )
    org_id = ambassador.organization_id
    EngagementSnapshot.objects.create(
        organization_id=org_id, post=post, at=published + dt.timedelta(hours=1), likes=500
    )
    # The latest snapshot counts; None is 0: 20 + 0 + 5 + 5 = 30.
    EngagementSnapshot.objects.create(
        organization_id=org_id,
        post=post,
        at=published + dt.timedelta(days=1),
        likes=20,
        replies=None,
        reposts=5,
        quotes=5,
        impressions=9000,
    )
    # Not published, or on another network, or someone else's: no engagement for us.
    scheduled = make_post(ambassador, item, paris(2025, 11, 21, 8, 0))
    elsewhere = make_post(
        ambassador, item, published, network="x", state=PostState.PUBLISHED, published_at=published
    )
    theirs = make_post(
        member, item, published, state=PostState.PUBLISHED, published_at=paris(2025, 11, 19, 7)
    )
    for other in (scheduled, elsewhere, theirs):
        EngagementSnapshot.objects.create(organization_id=org_id, post=other, at=NOW, likes=1000)
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "own"
    assert themap.events == 30
    assert themap.weights[3][17] == 1.0
    assert sum(sum(row) for row in themap.weights) == 1.0


def test_team_level_from_60_events(ambassador, item, org, member):
    team = Team.objects.create(organization=org, name="Sales")
    other_team = Team.objects.create(organization=org, name="Legal")
    ambassador.teams.add(team, other_team)
    member.teams.add(team)
    stranger = factories.make_member(org, email="stranger@acme.test")
    add_clicks(ambassador, item, weekly(paris(2025, 11, 17, 8, 10), 10))  # Mondays 08:10
    add_clicks(member, item, weekly(paris(2025, 11, 19, 12, 10), 49))  # Wednesdays 12:10
    add_clicks(stranger, item, weekly(paris(2025, 11, 20, 18, 10), 30))
    # 10 + 49 = 59 in the team, 89 in the organization: defaults.
    assert scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW).source == (
        "defaults"
    )
    add_clicks(member, item, [paris(2025, 11, 19, 12, 50)])
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "team"
    assert themap.events == 60  # the stranger's clicks are not in it
    assert themap.label == "From your team's clicks and engagement"
    assert themap.weights[2][12] == 1.0
    assert themap.weights[0][8] == pytest.approx(10 / 50)
    assert themap.weights[3][18] == 0.0


def test_organization_level_from_100_events(ambassador, item, org, member):
    add_clicks(ambassador, item, weekly(paris(2025, 11, 17, 8, 10), 10))
    add_clicks(member, item, weekly(paris(2025, 11, 21, 13, 10), 89))  # Fridays 13:10
    assert scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW).source == (
        "defaults"
    )
    add_clicks(member, item, [paris(2025, 11, 21, 13, 40)])
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "organization"
    assert themap.events == 100
    assert themap.label == "From the whole organization's clicks and engagement"
    assert themap.weights[4][13] == 1.0


def test_a_small_team_falls_through_to_the_organization(ambassador, item, org, member):
    team = Team.objects.create(organization=org, name="Sales")
    ambassador.teams.add(team)
    add_clicks(ambassador, item, weekly(paris(2025, 11, 17, 8, 10), 20))  # team: 20 < 60
    add_clicks(member, item, weekly(paris(2025, 11, 21, 13, 10), 80))
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "organization"
    assert themap.events == 100


def test_heatmap_queries_are_bounded(ambassador, item, org, member, django_assert_max_num_queries):
    team = Team.objects.create(organization=org, name="Sales")
    ambassador.teams.add(team)
    for day in range(10):
        post = make_post(
            member,
            item,
            paris(2025, 11, 10 + day, 8),
            state=PostState.PUBLISHED,
            published_at=paris(2025, 11, 10 + day, 8),
        )
        EngagementSnapshot.objects.create(
            organization_id=org.pk, post=post, at=NOW, likes=1, replies=1
        )
    # user (tz), teams, then clicks + posts per level (own, team, organization).
    with django_assert_max_num_queries(8):
        themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "defaults"  # 20 interactions in all


# --- Best slot


def test_best_slot_from_the_defaults(ambassador):
    slot, note = scheduling.best_slot(membership=ambassador, network="linkedin", now=NOW)
    # Saturday noon: LinkedIn's Sunday morning comes before Monday's early hours.
    assert slot == paris(2025, 11, 23, 9, 5)
    assert slot.tzinfo == UTC
    assert note == (
        "Recommended defaults (before office hours, lunch, after 18:00, Sunday morning on "
        "LinkedIn)."
    )
    slot, _note = scheduling.best_slot(membership=ambassador, network="x", now=NOW)
    assert slot == paris(2025, 11, 24, 7, 5)


def test_best_slot_from_own_clicks(ambassador, item):
    add_clicks(ambassador, item, weekly(paris(2025, 11, 18, 9, 20), 30))  # Tuesdays 09:xx
    now = paris(2025, 11, 24, 10, 0)
    slot, note = scheduling.best_slot(membership=ambassador, network="linkedin", now=now)
    assert slot == paris(2025, 11, 25, 9, 5)
    assert note == "From your own clicks and engagement."


def test_best_slot_is_at_least_15_minutes_ahead(ambassador, item):
    add_clicks(ambassador, item, weekly(paris(2025, 11, 18, 9, 20), 30))
    tuesday = dt.date(2025, 11, 25)
    # 08:45 + 15 min = 09:00: the hour's slot, 09:05.
    slot, _ = scheduling.best_slot(
        membership=ambassador, network="linkedin", now=paris(2025, 11, 25, 8, 45)
    )
    assert slot == paris(2025, 11, 25, 9, 5)
    # 08:55:30 + 15 min = 09:10:30: still in the best hour, so at 09:11 (never before now+15).
    slot, _ = scheduling.best_slot(
        membership=ambassador,
        network="linkedin",
        now=dt.datetime.combine(tuesday, dt.time(8, 55, 30), tzinfo=PARIS),
    )
    assert slot == paris(2025, 11, 25, 9, 11)
    # 09:50 + 15 min = 10:05: today's 09:00 hour is gone; the 7-day window (to next
    # Tuesday 10:05) holds next Tuesday's 09:05.
    slot, _ = scheduling.best_slot(
        membership=ambassador, network="linkedin", now=paris(2025, 11, 25, 9, 50)
    )
    assert slot == paris(2025, 12, 2, 9, 5)


def test_best_slot_moves_when_cadence_refuses_the_top_slot(ambassador, item, org):
    rule(org, max_per_day=1)
    make_post(ambassador, item, paris(2025, 11, 23, 18, 0))  # Sunday evening
    slot, note = scheduling.best_slot(membership=ambassador, network="linkedin", now=NOW)
    # Sunday 09:05 is refused (Sunday is full); next best: Monday 07:05.
    assert slot == paris(2025, 11, 24, 7, 5)
    assert note == (
        "Recommended defaults (before office hours, lunch, after 18:00, Sunday morning on "
        "LinkedIn). Moved from Sun 23 Nov at 09:05: At most 1 post a day on LinkedIn: you "
        "already have one on Sun 23 Nov at 18:00."
    )


def test_best_slot_moves_off_a_gap_and_excludes_the_post_being_moved(ambassador, item, org):
    add_clicks(ambassador, item, weekly(paris(2025, 11, 18, 9, 20), 30))  # Tuesdays 09:xx
    add_clicks(ambassador, item, weekly(paris(2025, 11, 18, 12, 20), 20))  # Tuesdays 12:xx
    rule(org, gap=180)
    post = make_post(ambassador, item, paris(2025, 11, 25, 8, 0))
    now = paris(2025, 11, 24, 10, 0)
    slot, note = scheduling.best_slot(membership=ambassador, network="linkedin", now=now)
    assert slot == paris(2025, 11, 25, 12, 5)
    assert note.endswith(
        "Moved from Tue 25 Nov at 09:05: At least 3 hours between two posts on LinkedIn: "
        "another post is at 08:00."
    )
    # Rescheduling that very post: it does not stand in its own way.
    slot, note = scheduling.best_slot(
        membership=ambassador, network="linkedin", now=now, exclude_post_id=post.pk
    )
    assert slot == paris(2025, 11, 25, 9, 5)
    assert "Moved" not in note


def test_best_slot_falls_back_to_next_allowed(ambassador, item, org):
    rule(org, max_per_day=1)
    for day in range(22, 31):  # Saturday 22 to Sunday 30 November, all full
        make_post(ambassador, item, paris(2025, 11, day, 12, 0))
    slot, note = scheduling.best_slot(membership=ambassador, network="linkedin", now=NOW)
    assert slot == paris(2025, 12, 1, 8, 0)
    assert "Moved from Sun 23 Nov at 09:05: At most 1 post a day on LinkedIn" in note


# --- DST and other time zones


def test_heatmap_buckets_local_hours_across_the_dst_change(ambassador, item):
    # 07:30 UTC in winter and 06:30 UTC in summer are both 08:30 in Paris.
    winter = [dt.datetime(2026, 3, 16, 7, 30, tzinfo=UTC)] * 15
    summer = [dt.datetime(2026, 3, 30, 6, 30, tzinfo=UTC)] * 15
    add_clicks(ambassador, item, winter + summer)
    themap = scheduling.heatmap(
        membership=ambassador, network="linkedin", now=paris(2026, 4, 1, 12, 0)
    )
    assert themap.source == "own"
    assert themap.weights[0][8] == 1.0
    assert themap.weights[0][7] == themap.weights[0][9] == 0.0


def test_best_slot_skips_the_hour_that_does_not_exist(ambassador, item):
    # Sundays at 02:30 (best) and 03:30 (second), Paris, in March before the change.
    sundays = [paris(2026, 3, day, 2, 30) for day in (1, 8, 15, 22)]
    add_clicks(ambassador, item, [s + dt.timedelta(minutes=i) for s in sundays for i in range(10)])
    add_clicks(
        ambassador,
        item,
        [s + dt.timedelta(hours=1, minutes=i) for s in sundays for i in range(5)],
    )
    now = paris(2026, 3, 28, 12, 0)  # the Saturday before the change
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=now)
    assert themap.weights[6][2] == 1.0
    assert themap.weights[6][3] == 0.5
    slot, _ = scheduling.best_slot(membership=ambassador, network="linkedin", now=now)
    # Sunday 29 March has no 02:05 (02:00 jumps to 03:00): 03:05 summer time.
    assert slot == dt.datetime(2026, 3, 29, 1, 5, tzinfo=UTC)
    assert slot.astimezone(PARIS).hour == 3


def test_candidates_repeat_the_hour_when_dst_ends():
    start = paris(2026, 10, 25, 0, 0).astimezone(UTC)  # 22:00 UTC the day before
    slots = scheduling._candidates(start, start + dt.timedelta(hours=6), PARIS)
    local_hours = [s.astimezone(PARIS).strftime("%H:%M%z") for s in slots]
    assert local_hours == [
        "00:05+0200",
        "01:05+0200",
        "02:05+0200",
        "02:05+0100",
        "03:05+0100",
        "04:05+0100",
    ]


def test_new_york_ambassador(ambassador, item, org):
    set_tz(ambassador, "America/New_York")
    # Wednesdays at 12:15 New York time (17:15 UTC in November).
    add_clicks(ambassador, item, weekly(new_york(2025, 11, 5, 12, 15), 30))
    now = new_york(2025, 11, 10, 9, 0)  # a Monday
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=now)
    assert themap.tz == "America/New_York"
    assert themap.weights[2][12] == 1.0
    slot, _ = scheduling.best_slot(membership=ambassador, network="linkedin", now=now)
    assert slot == dt.datetime(2025, 11, 12, 17, 5, tzinfo=UTC)
    # The cadence's day is New York's: 20:00 on Tuesday is 01:00 UTC on Wednesday.
    rule(org, max_per_day=1)
    make_post(ambassador, item, new_york(2025, 11, 25, 20, 0))
    assert scheduling.cadence_reasons(
        membership=ambassador, network="linkedin", at=new_york(2025, 11, 25, 9, 0)
    ) == ["At most 1 post a day on LinkedIn: you already have one on Tue 25 Nov at 20:00."]
    assert (
        scheduling.cadence_reasons(
            membership=ambassador, network="linkedin", at=new_york(2025, 11, 26, 9, 0)
        )
        == []
    )
    assert scheduling.next_allowed(
        membership=ambassador, network="linkedin", at=new_york(2025, 11, 25, 21, 0)
    ) == new_york(2025, 11, 26, 8, 0)


# --- The template


def test_heatmap_template(ambassador):
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    best, _ = scheduling.best_slot(membership=ambassador, network="linkedin", now=NOW)
    html = render_to_string("publishing/_heatmap.html", {"heatmap": themap, "best": best})
    assert html.count("<tr>") == 8
    assert html.count("<td") == 7 * 24
    assert html.count('class="heatmap-best"') == 1
    assert "Recommended defaults" in html and "Europe/Paris" in html
    assert "Mon 08:00 — 100%" in html
    assert "Sun 09:00 — 100% (best time)" in html
    assert "Tue 03:00 — 0%" in html
    assert "<script" not in html
    styles = re.findall(r'style="([^"]*)"', html)
    assert len(styles) == 7 * 24
    assert all(
        re.fullmatch(r"background-color: rgba\(31, 95, 191, [01]\.\d\d\);.*", s) for s in styles
    )
    # In French, numbers in styles keep their dot; day names are translated.
    with translation.override("fr"):
        html_fr = render_to_string("publishing/_heatmap.html", {"heatmap": themap})
    assert "0,50" not in html_fr and "0.50" in html_fr
    assert "lun" in html_fr.lower()
    assert 'class="heatmap-best"' not in html_fr
