"""Scheduling (portevoix.publishing.scheduling): the best slot, and the heatmap across DST
changes and in other time zones.

Every test passes a fixed `now`: nothing depends on the day the suite runs."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.publishing import scheduling
from tests.publishing._scheduling_helpers import (
    NOW,
    PARIS,
    UTC,
    add_clicks,
    make_post,
    new_york,
    paris,
    rule,
    set_tz,
    weekly,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_in_paris")]


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
