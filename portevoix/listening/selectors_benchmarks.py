"""Reads of the benchmark page (`listening.view`): the accounts side by side with their
latest snapshot and its change against the snapshot of 7 and of 30 days before (or the
nearest one before that day), and the program's own ambassadors over the last 7 days (the
analytics rollups through `analytics.selectors.period_comparison`, shown to whoever may see
the organization's analytics)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from portevoix.accounts.permissions import can, require
from portevoix.analytics import selectors as analytics
from portevoix.core import clock
from portevoix.core.tenancy import get_scoped, scoped

from .models import BenchmarkAccount, BenchmarkSnapshot
from .voice import local_day

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

HISTORY_DAYS = 31


@dataclass(frozen=True)
class Change:
    """A figure now against `days` before: None when either side is unknown."""

    now: int | float | None
    before: int | float | None

    @property
    def delta(self) -> int | float | None:
        if self.now is None or self.before is None:
            return None
        return round(self.now - self.before, 2)

    @property
    def direction(self) -> str:
        delta = self.delta
        if delta is None:
            return ""
        return "up" if delta > 0 else "down" if delta < 0 else "same"


@dataclass
class BenchmarkRow:
    account: BenchmarkAccount
    latest: BenchmarkSnapshot | None
    followers_7: Change
    followers_30: Change
    posts_7: Change
    engagement_7: Change

    @property
    def best_posts(self) -> list[dict[str, Any]]:
        return list(self.latest.best_posts) if self.latest else []

    @property
    def topics(self) -> list[dict[str, Any]]:
        return list(self.latest.topics) if self.latest else []


@dataclass(frozen=True)
class Ambassadors:
    start: dt.date
    end: dt.date
    shares: Change
    reach: Change
    clicks: Change
    engagements: Change


def _at_or_before(snapshots: list[BenchmarkSnapshot], day: dt.date) -> BenchmarkSnapshot | None:
    """The newest snapshot on `day` or before it (`snapshots` newest first)."""
    return next((s for s in snapshots if s.day <= day), None)


def _change(
    latest: BenchmarkSnapshot | None, before: BenchmarkSnapshot | None, name: str
) -> Change:
    if latest is None or before is None or before.pk == latest.pk:
        return Change(getattr(latest, name, None), None)
    return Change(getattr(latest, name), getattr(before, name))


def benchmark_rows(*, membership: Membership, today: dt.date | None = None) -> list[BenchmarkRow]:
    """Every account (ours first) with its latest snapshot and changes: two queries."""
    require(membership, "listening.view")
    today = today or local_day(clock.now())
    accounts = list(scoped(BenchmarkAccount, membership.organization_id))
    history: dict[int, list[BenchmarkSnapshot]] = defaultdict(list)
    recent = scoped(BenchmarkSnapshot, membership.organization_id).filter(
        day__gte=today - dt.timedelta(days=HISTORY_DAYS), day__lte=today
    )
    for snapshot in recent.order_by("-day"):
        history[snapshot.account_id].append(snapshot)
    rows = []
    for account in accounts:
        snapshots = history.get(account.pk, [])
        latest = snapshots[0] if snapshots else None
        week = _at_or_before(snapshots, latest.day - dt.timedelta(days=7)) if latest else None
        month = _at_or_before(snapshots, latest.day - dt.timedelta(days=30)) if latest else None
        rows.append(
            BenchmarkRow(
                account=account,
                latest=latest,
                followers_7=_change(latest, week, "followers"),
                followers_30=_change(latest, month, "followers"),
                posts_7=_change(latest, week, "posts_7d"),
                engagement_7=_change(latest, week, "engagement_per_post"),
            )
        )
    return rows


def ambassadors(*, membership: Membership, today: dt.date | None = None) -> Ambassadors | None:
    """The program's shares, potential reach, clicks and engagements over the last 7 days
    against the 7 before; None for someone who may not see the organization's analytics."""
    require(membership, "listening.view")
    if not can(membership, "analytics.view_org"):
        return None
    end = today or local_day(clock.now())
    start = end - dt.timedelta(days=6)
    figures = analytics.period_comparison(membership.organization_id, start, end)
    now, before = figures.current, figures.previous
    return Ambassadors(
        start=start,
        end=end,
        shares=Change(now.shares, before.shares),
        reach=Change(now.potential_reach, before.potential_reach),
        clicks=Change(now.clicks, before.clicks),
        engagements=Change(now.engagements, before.engagements),
    )


def account_of(*, membership: Membership, pk: int) -> BenchmarkAccount:
    account = get_scoped(BenchmarkAccount, membership.organization_id, pk=pk)
    require(membership, "listening.manage", account)
    return account
