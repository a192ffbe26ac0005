"""The pure rules of notifications: time zones, quiet hours, the member's day.

Quiet hours are local wall-clock times in the member's time zone. A start after the end
crosses midnight (21:00-08:00: from 21:00 tonight to 08:00 tomorrow); equal or missing
times mean no quiet hours. A push that falls in quiet hours is held until they end (see
`services.push_send`); the in-app notification is there at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from django.conf import settings


@functools.cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone called `name`, or the platform's (settings.TIME_ZONE) when it is empty or
    unknown."""
    if name and name in time_zone_names():
        return zoneinfo.ZoneInfo(name)
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def in_quiet_hours(
    now: dt.datetime, tz: dt.tzinfo, start: dt.time | None, end: dt.time | None
) -> bool:
    if start is None or end is None or start == end:
        return False
    local = now.astimezone(tz).time().replace(tzinfo=None)
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_end(
    now: dt.datetime, tz: dt.tzinfo, start: dt.time | None, end: dt.time | None
) -> dt.datetime | None:
    """When the quiet hours that `now` falls in end (an aware UTC datetime), or None when
    `now` is not in quiet hours."""
    if not in_quiet_hours(now, tz, start, end):
        return None
    assert end is not None
    local = now.astimezone(tz)
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate = _next_day_at(local, end, tz)
    return candidate.astimezone(dt.UTC)


def _next_day_at(local: dt.datetime, at: dt.time, tz: dt.tzinfo) -> dt.datetime:
    day = local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, at.replace(tzinfo=None), tzinfo=tz)


def day_start(now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """Midnight of the member's current day, as an aware datetime (what the cap counts from)."""
    local = now.astimezone(tz)
    return dt.datetime.combine(local.date(), dt.time(0, 0), tzinfo=tz)


def local_day(now: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return now.astimezone(tz).date()
