"""The best-time heatmap: each local weekday x hour weighed by the clicks and engagement of
the last 90 days (own, team, organization), else recommended defaults."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.core import clock
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped
from portevoix.sharing import selectors as sharing_selectors

from ..models import EngagementSnapshot, Post, PostState
from .base import (
    HISTORY_DAYS,
    MAX_CLICK_ROWS,
    MAX_POST_ROWS,
    MIN_EVENTS_ORGANIZATION,
    MIN_EVENTS_OWN,
    MIN_EVENTS_TEAM,
    SOURCE_DEFAULTS,
    SOURCE_ORGANIZATION,
    SOURCE_OWN,
    SOURCE_TEAM,
    _aware,
    tz_of,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# --- Heatmap


@dataclass(frozen=True)
class HeatmapCell:
    weekday: int  # 0 = Monday
    hour: int
    weight: float

    @property
    def label(self) -> str:
        return f"{self.hour:02d}:00"

    @property
    def percent(self) -> int:
        return round(self.weight * 100)

    @property
    def level(self) -> int:
        """The shade of the cell, 0 to 10: `data-heat` in the template, shaded by
        static/css/app.css (no inline style: the Content-Security-Policy allows none)."""
        return max(0, min(10, round(self.weight * 10)))


@dataclass(frozen=True)
class HeatmapRow:
    weekday: int  # 0 = Monday
    name: str
    abbr: str
    cells: tuple[HeatmapCell, ...]


@dataclass(frozen=True)
class Heatmap:
    # 7 rows (0 = Monday) x 24 local hours, each in [0, 1].
    weights: tuple[tuple[float, ...], ...]
    source: str
    events: int
    tz: str
    label: str

    def weight(self, local: dt.datetime) -> float:
        return self.weights[local.weekday()][local.hour]

    @property
    def hours(self) -> list[str]:
        return [f"{hour:02d}" for hour in range(24)]

    @property
    def rows(self) -> list[HeatmapRow]:
        return [
            HeatmapRow(
                weekday=day,
                name=str(WEEKDAYS[day]),
                abbr=str(WEEKDAYS_ABBR[day]),
                cells=tuple(HeatmapCell(day, hour, w) for hour, w in enumerate(self.weights[day])),
            )
            for day in range(7)
        ]


def default_weights(network: str) -> tuple[tuple[float, ...], ...]:
    """Seed 002: in B2B, before arriving at the office, lunch, the evening after 18:00; the
    weekend is good too, LinkedIn on Sunday morning."""
    weekday = [0.0] * 24
    for hour, w in {
        6: 0.3,
        7: 1.0,
        8: 1.0,
        9: 0.4,
        10: 0.35,
        11: 0.4,
        12: 0.9,
        13: 0.9,
        14: 0.35,
        15: 0.3,
        16: 0.3,
        17: 0.4,
        18: 0.85,
        19: 0.85,
        20: 0.85,
        21: 0.35,
        22: 0.15,
        23: 0.05,
    }.items():
        weekday[hour] = w
    weekend = [0.0] * 24
    for hour in range(8, 23):
        weekend[hour] = 0.5 if 9 <= hour <= 20 else 0.25
    sunday = list(weekend)
    if network == Network.LINKEDIN:
        sunday[9] = sunday[10] = 1.0
    return tuple(tuple(row) for row in [weekday] * 5 + [weekend, sunday])


def _label(source: str, network: str) -> str:
    if source == SOURCE_OWN:
        return _("From your own clicks and engagement")
    if source == SOURCE_TEAM:
        return _("From your team's clicks and engagement")
    if source == SOURCE_ORGANIZATION:
        return _("From the whole organization's clicks and engagement")
    if network == Network.LINKEDIN:
        return _(
            "Recommended defaults (before office hours, lunch, after 18:00, Sunday morning "
            "on LinkedIn)"
        )
    return _("Recommended defaults (before office hours, lunch, after 18:00)")


def _bucket(events: Iterable[tuple[dt.datetime, int]], tz: ZoneInfo) -> tuple[list[list[int]], int]:
    counts = [[0] * 24 for _day in range(7)]
    total = 0
    for at, n in events:
        if n <= 0:
            continue
        local = at.astimezone(tz)
        counts[local.weekday()][local.hour] += n
        total += n
    return counts, total


def _events(
    *,
    organization_id: int,
    network: str,
    since: dt.datetime,
    until: dt.datetime,
    membership_ids: Iterable[int] | QuerySet[Any] | None,
    post_scope: Q,
) -> list[tuple[dt.datetime, int]]:
    """Counted clicks (1 each) and the latest engagement of published posts (likes +
    replies + reposts + quotes, at the post's publication), newest first, bounded."""
    clicks = sharing_selectors.click_times(
        organization_id=organization_id,
        network=network,
        since=since,
        until=until,
        membership_ids=membership_ids,
        limit=MAX_CLICK_ROWS,
    )
    found: list[tuple[dt.datetime, int]] = [(at, 1) for at in clicks]
    zero = Value(0)
    latest = (
        EngagementSnapshot.objects.filter(post=OuterRef("pk"))
        .order_by("-at", "-id")
        .annotate(
            total=Coalesce(F("likes"), zero)
            + Coalesce(F("replies"), zero)
            + Coalesce(F("reposts"), zero)
            + Coalesce(F("quotes"), zero)
        )
        .values("total")[:1]
    )
    posts = (
        scoped(Post, organization_id)
        .filter(
            post_scope,
            network=network,
            state=PostState.PUBLISHED,
            published_at__gte=since,
            published_at__lt=until,
        )
        .annotate(engagement=Subquery(latest, output_field=models.IntegerField()))
        .order_by("-published_at")
        .values_list("published_at", "engagement")[:MAX_POST_ROWS]
    )
    found.extend((at, engagement or 0) for at, engagement in posts if at is not None)
    return found


def _weights(counts: Sequence[Sequence[int]]) -> tuple[tuple[float, ...], ...]:
    top = max((max(row) for row in counts), default=0)
    if top <= 0:
        return tuple(tuple(0.0 for _h in row) for row in counts)
    return tuple(tuple(n / top for n in row) for row in counts)


def heatmap(*, membership: Membership, network: str, now: dt.datetime | None = None) -> Heatmap:
    """Local weekday x hour weights from the last 90 days: the ambassador's own clicks and
    engagement if there are at least 30 events, else their teams' (any team in common) if
    at least 60, else the organization's if at least 100, else the recommended defaults."""
    until = _aware(now, "now") if now is not None else clock.now()
    since = until - dt.timedelta(days=HISTORY_DAYS)
    tz = tz_of(membership)
    org_id = membership.organization_id
    # (source, minimum events, whose clicks: membership ids or None for all, whose posts)
    levels: list[tuple[str, int, Iterable[int] | QuerySet[Any] | None, Q]] = [
        (SOURCE_OWN, MIN_EVENTS_OWN, [membership.pk], Q(membership_id=membership.pk))
    ]
    teammates = account_selectors.teammate_ids(membership=membership)
    if teammates is not None:
        levels.append((SOURCE_TEAM, MIN_EVENTS_TEAM, teammates, Q(membership_id__in=teammates)))
    levels.append((SOURCE_ORGANIZATION, MIN_EVENTS_ORGANIZATION, None, Q()))
    for source, minimum, membership_ids, post_scope in levels:
        events = _events(
            organization_id=org_id,
            network=network,
            since=since,
            until=until,
            membership_ids=membership_ids,
            post_scope=post_scope,
        )
        counts, total = _bucket(events, tz)
        if total >= minimum:
            return Heatmap(
                weights=_weights(counts),
                source=source,
                events=total,
                tz=tz.key,
                label=_label(source, network),
            )
    return Heatmap(
        weights=default_weights(network),
        source=SOURCE_DEFAULTS,
        events=0,
        tz=tz.key,
        label=_label(SOURCE_DEFAULTS, network),
    )
