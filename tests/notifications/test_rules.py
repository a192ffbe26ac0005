"""Quiet hours and the member's day, in their time zone (pure rules)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from portevoix.notifications import rules

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
NIGHT = (dt.time(21, 0), dt.time(8, 0))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def test_quiet_hours_across_midnight_in_the_members_time_zone():
    # 02:30 UTC on 10 March 2026 is 22:30 the evening before in New York (UTC-4 after DST).
    evening = utc(2026, 3, 10, 2, 30)
    assert rules.in_quiet_hours(evening, NEW_YORK, *NIGHT)
    end = rules.quiet_hours_end(evening, NEW_YORK, *NIGHT)
    assert end == dt.datetime(2026, 3, 10, 8, 0, tzinfo=NEW_YORK).astimezone(dt.UTC)
    # 05:00 in New York, after midnight: still quiet, ends at 08:00 the same day.
    early = utc(2026, 3, 10, 9, 0)
    assert rules.quiet_hours_end(early, NEW_YORK, *NIGHT) == utc(2026, 3, 10, 12, 0)
    # The same instant is 18:00 in Tokyo: not quiet there.
    assert not rules.in_quiet_hours(early, TOKYO, *NIGHT)
    assert rules.quiet_hours_end(early, TOKYO, *NIGHT) is None


def test_the_edges_of_the_quiet_hours():
    at = dt.datetime(2026, 6, 1, 21, 0, tzinfo=TOKYO)
    assert rules.in_quiet_hours(at, TOKYO, *NIGHT)  # from 21:00 included
    assert not rules.in_quiet_hours(at.replace(hour=8), TOKYO, *NIGHT)  # until 08:00 excluded
    assert not rules.in_quiet_hours(at.replace(hour=20, minute=59), TOKYO, *NIGHT)


def test_quiet_hours_within_one_day_and_none():
    lunch = (dt.time(12, 0), dt.time(14, 0))
    at = dt.datetime(2026, 6, 1, 13, 0, tzinfo=TOKYO)
    assert rules.in_quiet_hours(at, TOKYO, *lunch)
    assert rules.quiet_hours_end(at, TOKYO, *lunch) == at.replace(hour=14).astimezone(dt.UTC)
    assert not rules.in_quiet_hours(at.replace(hour=15), TOKYO, *lunch)
    assert not rules.in_quiet_hours(at, TOKYO, None, None)
    assert not rules.in_quiet_hours(at, TOKYO, dt.time(9), dt.time(9))


def test_the_day_starts_at_local_midnight():
    at = utc(2026, 3, 10, 2, 30)  # 22:30 on the 9th in New York, 11:30 on the 10th in Tokyo
    assert rules.day_start(at, NEW_YORK) == dt.datetime(2026, 3, 9, tzinfo=NEW_YORK)
    assert rules.day_start(at, TOKYO) == dt.datetime(2026, 3, 10, tzinfo=TOKYO)


def test_an_unknown_zone_falls_back_to_the_platforms(settings):
    settings.TIME_ZONE = "Europe/Paris"
    assert rules.zone("Mars/Olympus_Mons") == zoneinfo.ZoneInfo("Europe/Paris")
    assert rules.zone("") == zoneinfo.ZoneInfo("Europe/Paris")
    assert rules.zone("Asia/Tokyo") == TOKYO
