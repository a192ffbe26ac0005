"""Reads of the vigilance beyond the inbox (decision 0027): the spike alerts, and the weekly
executive summary (per monitor: mentions this week and last, by network, the sentiment
split; the week's alerts; its most positive and most negative mentions)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count
from django.utils import timezone

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.tenancy import scoped

from .models import Mention, MonitorCategory, SpikeAlert
from .selectors import monitors as all_monitors

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

    from .models import Monitor

ALERTS_SHOWN = 100
TOP_MENTIONS = 5


def alerts(*, membership: Membership) -> list[SpikeAlert]:
    require(membership, "listening.view")
    return list(
        scoped(SpikeAlert, membership.organization_id)
        .select_related("monitor")
        .order_by("-hour", "-pk")[:ALERTS_SHOWN]
    )


@dataclass
class MonitorWeek:
    monitor: Monitor
    count: int = 0
    previous: int = 0
    networks: dict[str, int] = field(default_factory=dict)
    positive: int = 0
    neutral: int = 0
    negative: int = 0

    @property
    def change(self) -> int | None:
        """Percent against last week (None when last week had none)."""
        if not self.previous:
            return None
        return round((self.count - self.previous) * 100 / self.previous)


@dataclass
class Summary:
    start: dt.datetime  # Monday 00:00, the reader's time zone
    end: dt.datetime
    rows: list[MonitorWeek]
    alerts: list[SpikeAlert]
    best: list[Mention]
    worst: list[Mention]

    @property
    def brand(self) -> list[MonitorWeek]:
        return [r for r in self.rows if r.monitor.category == MonitorCategory.BRAND]

    @property
    def others(self) -> list[MonitorWeek]:
        return [r for r in self.rows if r.monitor.category != MonitorCategory.BRAND]


def week_start(day: dt.date) -> dt.datetime:
    monday = day - dt.timedelta(days=day.weekday())
    return timezone.make_aware(dt.datetime.combine(monday, dt.time.min))


def summary(*, membership: Membership, day: dt.date | None = None) -> Summary:
    """The week holding `day` (today by default) against the week before."""
    require(membership, "listening.view")
    org = membership.organization_id
    start = week_start(day or timezone.localdate(clock.now()))
    end, before = start + dt.timedelta(days=7), start - dt.timedelta(days=7)
    rows = {m.pk: MonitorWeek(m) for m in all_monitors(membership=membership)}
    mentions = scoped(Mention, org).filter(published_at__gte=before, published_at__lt=end)
    this_week = mentions.filter(published_at__gte=start)
    for row in (
        mentions.filter(published_at__lt=start)
        .values("monitors__id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if row["monitors__id"] in rows:
            rows[row["monitors__id"]].previous = row["n"]
    networks: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        this_week.values("monitors__id", "network", "sentiment").annotate(n=Count("pk")).order_by()
    ):
        week = rows.get(row["monitors__id"])
        if week is None:
            continue
        week.count += row["n"]
        by_network = networks[week.monitor.pk]
        by_network[row["network"]] = by_network.get(row["network"], 0) + row["n"]
        if row["sentiment"] in {"positive", "neutral", "negative"}:
            setattr(week, row["sentiment"], getattr(week, row["sentiment"]) + row["n"])
    for pk, by_network in networks.items():
        rows[pk].networks = dict(sorted(by_network.items(), key=lambda kv: (-kv[1], kv[0])))
    week_alerts = list(
        scoped(SpikeAlert, org)
        .filter(hour__gte=start, hour__lt=end)
        .select_related("monitor")
        .order_by("hour", "pk")
    )
    rated = this_week.exclude(sentiment_score=None).prefetch_related("monitors")
    return Summary(
        start=start,
        end=end,
        rows=sorted(rows.values(), key=lambda r: (-r.count, r.monitor.name)),
        alerts=week_alerts,
        best=list(
            rated.filter(sentiment="positive").order_by("-sentiment_score", "-pk")[:TOP_MENTIONS]
        ),
        worst=list(
            rated.filter(sentiment="negative").order_by("sentiment_score", "-pk")[:TOP_MENTIONS]
        ),
    )
