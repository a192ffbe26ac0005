"""Reads of the share of voice page (`listening.view`), from the `VoiceDay` rollup only:
the brand (every monitor of category "brand", together) against each competitor monitor,
over the last 7, 30 or 90 days: shares in percent with their counts, per day or week, per
network, and each party's sentiment split. Two grouped queries on the rollup (per monitor
and day, per monitor, network and sentiment): a few hundred rows whatever the number of
mentions.

A mention that matches two brand monitors counts twice for the brand (the rollup is per
monitor); one brand monitor holding every spelling avoids it (decision 0028)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.tenancy import scoped

from .models import Monitor, MonitorCategory, Sentiment, VoiceDay
from .voice import local_day

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

PERIODS = (7, 30, 90)
UNITS = ("day", "week")
BRAND = "brand"
SENTIMENTS = (*Sentiment.values, "")  # "": not known


def percent(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in percent, one decimal, half up; None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Party:
    key: str  # "brand" or the competitor monitor's id
    label: str
    index: int  # its colour on the chart


@dataclass
class Cell:
    count: int
    share: Decimal | None


@dataclass(frozen=True)
class Segment:
    index: int
    x: Decimal
    width: Decimal
    label: str


@dataclass
class Line:
    """One row of a table: a period or a network, each party's count and share."""

    label: str
    start: dt.date | None
    cells: list[Cell]
    total: int
    segments: list[Segment] = field(default_factory=list)


@dataclass
class SentimentSplit:
    party: Party
    total: int
    cells: list[Cell]  # in SENTIMENTS order


@dataclass
class Voice:
    days: int
    unit: str
    start: dt.date
    end: dt.date
    parties: list[Party]
    overall: Line
    periods: list[Line]
    networks: list[Line]
    sentiments: list[SentimentSplit]

    @property
    def has_brand(self) -> bool:
        return any(p.key == BRAND for p in self.parties)

    @property
    def has_competitor(self) -> bool:
        return any(p.key != BRAND for p in self.parties)


def _line(label: str, start: dt.date | None, counts: list[int], parties: list[Party]) -> Line:
    total = sum(counts)
    cells = [Cell(c, percent(c, total)) for c in counts]
    segments, x = [], Decimal(0)
    for party, cell in zip(parties, cells, strict=True):
        if cell.share:
            segments.append(Segment(party.index, x, cell.share, party.label))
            x += cell.share
    return Line(label, start, cells, total, segments)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def share_of_voice(
    *, membership: Membership, days: int = 30, unit: str = "day", today: dt.date | None = None
) -> Voice:
    require(membership, "listening.view")
    days = days if days in PERIODS else 30
    unit = unit if unit in UNITS else "day"
    end = today or local_day(clock.now())
    start = end - dt.timedelta(days=days - 1)
    organization_id = membership.organization_id
    monitors = list(
        scoped(Monitor, organization_id)
        .filter(category__in=(MonitorCategory.BRAND, MonitorCategory.COMPETITOR))
        .order_by("name", "pk")
        .values_list("pk", "name", "category")
    )
    parties: list[Party] = []
    party_of: dict[int, int] = {}
    if any(category == MonitorCategory.BRAND for _pk, _n, category in monitors):
        parties.append(Party(BRAND, _("Our brand"), 0))
    for pk, name, category in monitors:
        if category == MonitorCategory.BRAND:
            party_of[pk] = 0
        else:
            party_of[pk] = len(parties)
            parties.append(Party(str(pk), name, len(parties)))
    cells = scoped(VoiceDay, organization_id).filter(
        day__gte=start, day__lte=end, monitor_id__in=list(party_of)
    )

    def summed(*keys: str) -> list[tuple[Any, ...]]:
        """The cells summed by `keys` in the database: a few hundred rows at most."""
        return list(cells.values_list(*keys).annotate(n=Sum("mentions")).order_by())

    width = len(parties)
    by_bucket: dict[dt.date, list[int]] = defaultdict(lambda: [0] * width)
    by_network: dict[str, list[int]] = defaultdict(lambda: [0] * width)
    by_sentiment: list[dict[str, int]] = [dict.fromkeys(SENTIMENTS, 0) for _p in parties]
    overall = [0] * width
    for monitor_id, day, n in summed("monitor_id", "day"):
        i = party_of[monitor_id]
        by_bucket[week_start(day) if unit == "week" else day][i] += n
        overall[i] += n
    for monitor_id, network, sentiment, n in summed("monitor_id", "network", "sentiment"):
        by_network[network][party_of[monitor_id]] += n
        split = by_sentiment[party_of[monitor_id]]
        split[sentiment if sentiment in split else ""] += n
    buckets, current = [], week_start(start) if unit == "week" else start
    step = dt.timedelta(days=7 if unit == "week" else 1)
    while current <= end:
        buckets.append(current)
        current += step
    periods = [_line("", b, by_bucket.get(b, [0] * width), parties) for b in buckets]
    networks = [
        _line(network, None, counts, parties)
        for network, counts in sorted(by_network.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    ]
    sentiments = []
    for party, split in zip(parties, by_sentiment, strict=True):
        total = sum(split.values())
        tones = [Cell(split[s], percent(split[s], total)) for s in SENTIMENTS]
        sentiments.append(SentimentSplit(party, total, tones))
    return Voice(
        days=days,
        unit=unit,
        start=start,
        end=end,
        parties=parties,
        overall=_line("", None, overall, parties),
        periods=periods,
        networks=networks,
        sentiments=sentiments,
    )
