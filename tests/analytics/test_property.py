"""Property: after any stream of events, the rollups equal a recount of the raw events,
every coarse table equals the sum of the fine cells it summarizes, and the dashboard's
totals for any date range equal the recount of that range.

Two drivers: the raw rows + `rollup_add` exactly as the sharing services write them
(tests/analytics/events.py), and the sharing services themselves (share_open,
clicks_ingest, conversion_record). In both, some shares are published through connected
accounts and get sequences of engagement snapshots (figures up and down, None where a
network does not give one, readings that arrive out of order), applied as the publishing
engine applies them: `engagement_delta` of the post's latest figures through `rollup_add`.
After the stream, `rollups_rebuild` (SQL) must give the same cells again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portevoix.accounts import services as account_services
from portevoix.accounts.roles import Role
from portevoix.analytics import rollups, selectors
from portevoix.analytics.models import MEASURES
from portevoix.content.models import Campaign
from portevoix.core import clock
from tests import factories
from tests.analytics import events

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

NETWORKS = ("linkedin", "x", "facebook")
PROPERTY_SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

share_event = st.tuples(
    st.just("share"),
    st.integers(0, 2),  # ambassador
    st.integers(0, 2),  # item
    st.sampled_from(NETWORKS),
    st.integers(0, 40 * 24),  # hours after the start: crosses a month end
    st.integers(0, 5000),  # audience
    st.booleans(),  # personalized
    st.booleans(),  # published through a connected account
)
figure = st.one_of(st.none(), st.integers(0, 500))
snapshot_event = st.tuples(
    st.just("snapshot"),
    st.integers(0, 50),  # which connected post
    st.integers(-120, 600),  # minutes after the post's latest snapshot: may be earlier
    st.tuples(figure, figure, figure, figure, figure),  # likes, replies, reposts, quotes, views
)
click_event = st.tuples(
    st.just("click"),
    st.integers(0, 50),  # which share (modulo the shares so far)
    st.integers(0, 60),  # hours after the share
    st.sampled_from(["v0", "v1", "v2"]),  # few visitors: repeats happen
)
conversion_event = st.tuples(
    st.just("conversion"),
    st.integers(0, 50),  # which click
    st.integers(0, 100_000),  # value in cents
    st.integers(0, 30),  # hours after the click
)
team_event = st.tuples(
    st.just("team"), st.integers(0, 2), st.integers(0, 1), st.booleans()
)  # ambassador, team, join (else leave)
stream_strategy = st.lists(
    st.one_of(share_event, click_event, click_event, conversion_event, team_event, snapshot_event),
    max_size=30,
)
range_strategy = st.tuples(st.integers(-3, 45), st.integers(0, 45))


@pytest.fixture
def world(org, admin, manager, approver):
    campaign = Campaign.objects.create(organization=org, name="C", slug="c")
    items = [
        factories.make_live_item(manager, approver, campaign_id=campaign.pk),
        factories.make_live_item(manager, approver),
        factories.make_live_item(manager, approver, campaign_id=campaign.pk),
    ]
    people = [factories.make_member(org, ambassador=True) for _ in range(3)]
    teams = [
        account_services.team_create(actor=admin, name="T1"),
        account_services.team_create(actor=admin, name="T2"),
    ]
    analyst = factories.make_member(org, Role.ANALYST)
    return {"org": org, "items": items, "people": people, "teams": teams, "analyst": analyst}


def move_teams(world, who: int, team: int, join: bool) -> None:
    membership, team_obj = world["people"][who], world["teams"][team]
    if join:
        membership.teams.add(team_obj)
    else:
        membership.teams.remove(team_obj)


def check(world, start: dt.date, days: tuple[int, int]) -> None:
    org = world["org"]
    span = (start - dt.timedelta(days=5), start + dt.timedelta(days=60))
    recount = rollups.rollups_recount(organization_id=org.pk, start=span[0], end=span[1])
    assert rollups.rollups_read(organization_id=org.pk, start=span[0], end=span[1]) == recount
    assert rollups.coarse_mismatches(organization_id=org.pk, start=span[0], end=span[1]) == []
    # The dashboard's totals for a random range (whole months + edge days) = the recount.
    first = start + dt.timedelta(days=min(days))
    last = start + dt.timedelta(days=max(days))
    expected = dict.fromkeys(MEASURES, 0)
    for key, values in recount.items():
        if first <= key[0] <= last:
            for m in MEASURES:
                expected[m] += values[m]
    totals = selectors.totals(
        membership=world["analyst"], filters=selectors.Filters(first, last)
    ).as_dict()
    assert totals["shares"] == expected["shares"]
    assert totals["clicks"] == expected["clicks"]
    assert totals["potential_reach"] == expected["potential_reach"]
    assert totals["conversion_value"] == Decimal(expected["conversion_value_cents"]) / 100
    assert totals["engagements"] == expected["engagements"]
    assert totals["impressions"] == expected["impressions"]
    assert totals["impression_engagements"] == expected["impression_engagements"]
    # The bounded walk for the top ambassadors finds what the plain aggregation finds.
    filters = selectors.Filters(first, last)
    saved = selectors.WALK_MIN_DAYS, selectors.WALK_BATCH
    for order in ("clicks", "engagements"):
        try:
            tops = []
            for walk_min, batch in ((10**6, 500), (1, 1)):
                selectors.WALK_MIN_DAYS, selectors.WALK_BATCH = walk_min, batch
                tops.append(
                    selectors.breakdown(
                        membership=world["analyst"],
                        filters=filters,
                        dimension="ambassador",
                        order=order,
                        limit=2,
                    ).rows
                )
        finally:
            selectors.WALK_MIN_DAYS, selectors.WALK_BATCH = saved
        assert tops[0] == tops[1]
    # The set-based rebuild from the raw rows gives the same cells.
    rollups.rollups_rebuild(organization_id=org.pk, start=span[0], end=span[1])
    assert rollups.rollups_read(organization_id=org.pk, start=span[0], end=span[1]) == recount
    assert rollups.coarse_mismatches(organization_id=org.pk, start=span[0], end=span[1]) == []


def snapshot(posts: list, event: tuple) -> None:
    """A snapshot of one of the connected posts, `minutes` after its latest one."""
    _k, which, minutes, figures = event
    post = posts[which % len(posts)]
    latest = events.latest_snapshot(post)
    base = latest.at if latest is not None else post.published_at
    events.snapshot(post, base + dt.timedelta(minutes=minutes), *figures)


START = dt.datetime(2026, 1, 20, 0, 30)


@PROPERTY_SETTINGS
@given(stream=stream_strategy, days=range_strategy)
def test_rollups_equal_the_recount(world, stream, days):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(START, tz)
    with transaction.atomic():
        shares, clicks, posts = [], [], []
        for event in stream:
            kind = event[0]
            if kind == "share":
                _k, who, item, network, hours, audience, personalized, connected = event
                shares.append(
                    events.share(
                        world["people"][who],
                        world["items"][item],
                        network,
                        start + dt.timedelta(hours=hours),
                        audience=audience,
                        personalized=personalized,
                    )
                )
                if connected:
                    posts.append(events.connect_post(shares[-1]))
            elif kind == "snapshot" and posts:
                snapshot(posts, event)
            elif kind == "click" and shares:
                _k, which, hours, visitor = event
                share = shares[which % len(shares)]
                at = share.created_at + dt.timedelta(hours=hours)
                clicks.append(events.click(share.link, at, visitor))
            elif kind == "conversion" and clicks:
                _k, which, cents, hours = event
                click = clicks[which % len(clicks)]
                at = click.at + dt.timedelta(hours=hours)
                events.conversion(click.link, at, Decimal(cents) / 100)
            elif kind == "team":
                move_teams(world, *event[1:])
        check(world, start.date(), days)
        transaction.set_rollback(True)


@PROPERTY_SETTINGS
@given(stream=stream_strategy, days=range_strategy)
def test_rollups_equal_the_recount_through_the_sharing_services(world, stream, days, monkeypatch):
    from portevoix.sharing import services as sharing
    from portevoix.sharing.records import ClickRecord

    # Shares happen "now": the clock moves; the items are live from their approval on.
    base = clock.now() + dt.timedelta(days=1)
    base = base.replace(hour=0, minute=30, second=0, microsecond=0)
    now = {"t": base}
    monkeypatch.setattr(clock, "now", lambda: now["t"])
    for membership in world["people"]:
        account_services.ambassador_update(
            membership=membership,
            data=account_services.EnrolmentData(
                languages=["fr"],
                help_with=["sharing"],
                networks=[
                    account_services.PresenceData(network=n, audience=100 + i)
                    for i, n in enumerate(NETWORKS)
                ],
            ),
        )
    with transaction.atomic():
        shares, clicks, posts = [], [], []
        for n, event in enumerate(stream):
            kind = event[0]
            if kind == "share":
                _k, who, item, network, hours, _audience, personalized, connected = event
                now["t"] = max(now["t"], base + dt.timedelta(hours=hours))
                started = sharing.share_open(
                    membership=world["people"][who],
                    item_id=world["items"][item].pk,
                    network=network,
                    text=f"My own words {n}" if personalized else None,
                )
                shares.append(started.share)
                if connected:
                    posts.append(events.connect_post(started.share))
            elif kind == "snapshot" and posts:
                snapshot(posts, event)
            elif kind == "click" and shares:
                _k, which, hours, visitor = event
                share = shares[which % len(shares)]
                at = share.created_at + dt.timedelta(hours=hours)
                record = ClickRecord(
                    journal_key=f"prop-{n}",
                    code=share.link.code,
                    at=at,
                    visitor=visitor * 16,
                    bot=False,
                    head=False,
                    referrer_network="",
                    country="",
                    click_id=f"pc{n}",
                )
                sharing.clicks_ingest([record])
                clicks.append(record)
            elif kind == "conversion" and clicks:
                _k, which, cents, hours = event
                record = clicks[which % len(clicks)]
                when = record.at + dt.timedelta(hours=hours)
                now["t"] = max(now["t"], when)
                sharing.conversion_record(
                    organization=world["org"],
                    external_id=f"order-{n}",
                    kind="lead",
                    value=Decimal(cents) / 100,
                    click_id=record.click_id,
                    at=when,
                    source="api",
                )
            elif kind == "team":
                move_teams(world, *event[1:])
        check(world, timezone.localtime(base).date(), days)
        transaction.set_rollback(True)
