"""Figures that goals can aim at and that another app than analytics counts.

Analytics keeps the goals and counts what its rollups hold (reach, clicks, shares...). Some
goals aim at figures other apps own: ideas accepted (the idea box), certified ambassadors
(training). `core` imports no app and those apps sit beside analytics, so each app declares
its figure here from its `AppConfig.ready()` (`register`), and analytics reads them through
`get` and `registered` (the same way as `audit_labels`).

A counter takes `(organization_id, start, end, team_member_ids)` and returns a number:
`start` and `end` are inclusive dates; `team_member_ids` is None for the whole organization,
else the ids (a list, or a queryset of ids) of the team's members whose figures count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

Counter = Callable[[int, dt.date, dt.date, "Iterable[int] | None"], "int | Decimal"]


@dataclass(frozen=True)
class GoalMetric:
    code: str
    label: Any  # a (lazy) translatable string
    count: Counter
    # "sum": what happened in the period (forecast from the pace); "level": a state at the
    # end of the period (forecast: the current value).
    kind: str = "sum"


_METRICS: dict[str, GoalMetric] = {}


def register(code: str, label: Any, count: Counter, *, kind: str = "sum") -> None:
    if kind not in {"sum", "level"}:
        raise ValueError(f"unknown goal metric kind {kind!r}")
    _METRICS[code] = GoalMetric(code, label, count, kind)


def get(code: str) -> GoalMetric | None:
    return _METRICS.get(code)


def registered() -> list[GoalMetric]:
    return list(_METRICS.values())


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first moment of `start`, first moment after `end`) in the current time zone."""
    tz = timezone.get_current_timezone()
    after = end + dt.timedelta(days=1)
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(after, dt.time.min, tzinfo=tz),
    )
