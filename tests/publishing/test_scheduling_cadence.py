"""Scheduling (portevoix.publishing.scheduling): time zones, the cadence rules and
`next_allowed`.

Every test passes a fixed `now`: nothing depends on the day the suite runs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portevoix.publishing import scheduling
from portevoix.publishing.models import PostState
from tests.publishing._scheduling_helpers import (
    NEW_YORK,
    PARIS,
    UTC,
    make_post,
    paris,
    rule,
    set_tz,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_in_paris")]


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
