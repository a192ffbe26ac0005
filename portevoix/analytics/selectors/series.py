"""Totals and time series."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ..models import (
    MEASURES,
)
from ..rollups import month_start
from .figures import SUMS, Figures, Unit, unmeasured
from .scope import Filters, scope_of
from .tables import _next_month, _rows

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def totals(*, membership: Membership, filters: Filters, own: bool = False) -> Figures:
    scope = scope_of(membership, own=own)
    _, qs = _rows(scope, filters)
    return Figures.from_sums(qs.aggregate(**SUMS), unmeasured_network=unmeasured(filters.network))


# --- Time series


@dataclass(frozen=True)
class Point:
    start: dt.date
    figures: Figures


def bucket_start(day: dt.date, unit: Unit) -> dt.date:
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return month_start(day)
    return day


def buckets(filters: Filters, unit: Unit) -> list[dt.date]:
    result = []
    current = bucket_start(filters.start, unit)
    while current <= filters.end:
        result.append(current)
        if unit == "day":
            current += dt.timedelta(days=1)
        elif unit == "week":
            current += dt.timedelta(days=7)
        else:
            current = _next_month(current)
    return result


def timeseries(
    *, membership: Membership, filters: Filters, unit: Unit, own: bool = False
) -> list[Point]:
    """One point per day, week (Monday) or month of the range, empty ones included. The
    first and last buckets may cover only part of a week or month.

    The database groups by the rows' own period (a day, or a month for month rows) and the
    buckets are folded here: at most a few hundred rows, and no date function evaluated
    per row (on SQLite, Django's Trunc is a Python function called for every row)."""
    scope = scope_of(membership, own=own)
    table, qs = _rows(scope, filters, days_only=unit != "month")
    column = "period" if table.grains else "day"
    sums: dict[dt.date, dict[str, int]] = {}
    for row in qs.values(column).annotate(**SUMS).order_by(column):
        bucket = bucket_start(_as_date(row[column]), unit)
        acc = sums.setdefault(bucket, dict.fromkeys(MEASURES, 0))
        for m in MEASURES:
            acc[m] += int(row[m] or 0)
    na = unmeasured(filters.network)
    return [
        Point(start, Figures.from_sums(sums.get(start, {}), unmeasured_network=na))
        for start in buckets(filters, unit)
    ]


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return cast(dt.date, value)
