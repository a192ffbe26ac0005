"""Periods of the boards and the day of an event: plain date arithmetic, no ORM."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

ALL_TIME_START = dt.date(2000, 1, 1)
PERIODS = ("week", "month", "quarter", "all")


def local_day(at: dt.datetime) -> dt.date:
    """The calendar day of `at` in the platform's time zone (as the click counting)."""
    if at.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def period_start(period: str, day: dt.date) -> dt.date:
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if period == "all":
        return ALL_TIME_START
    raise ValueError(f"unknown period {period!r}")


def period_starts(day: dt.date) -> list[tuple[str, dt.date]]:
    return [(period, period_start(period, day)) for period in PERIODS]
