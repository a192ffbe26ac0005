"""Which rollup table answers a question, and its rows for a range."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from portevoix.accounts import selectors as account_selectors
from portevoix.core.tenancy import scoped

from ..models import (
    GRAIN_DAY,
    GRAIN_MONTH,
    CampaignRollup,
    DailyRollup,
    ItemRollup,
    MemberRollup,
    NetworkRollup,
    TeamRollup,
)
from ..rollups import month_start
from .scope import Filters, Scope


@dataclass(frozen=True)
class Table:
    model: Any
    dims: frozenset[str]
    grains: bool  # has day and month rows (else: day rows only, in `day`)


TABLES = (
    Table(NetworkRollup, frozenset({"network"}), True),
    Table(CampaignRollup, frozenset({"campaign_id", "network"}), True),
    Table(TeamRollup, frozenset({"team_id", "network"}), True),
    Table(ItemRollup, frozenset({"item_id", "campaign_id", "network"}), True),
    Table(MemberRollup, frozenset({"membership_id", "network"}), True),
    Table(DailyRollup, frozenset({"item_id", "campaign_id", "membership_id", "network"}), False),
)
FINE_TABLE = TABLES[-1]


def _fits(table: Table, scope: Scope, filters: Filters, group: str | None) -> bool:
    """Whether `table` can answer: it has the grouped column and every filtered one (the
    team filter needs the team, or the ambassador to look their teams up)."""
    needed = {group} if group else set()
    if filters.campaign_id is not None:
        needed.add("campaign_id")
    if filters.network:
        needed.add("network")
    if scope.own:
        needed.add("membership_id")
    if not needed <= table.dims:
        return False
    return filters.team_id is None or bool({"team_id", "membership_id"} & table.dims)


def _table(scope: Scope, filters: Filters, group: str | None) -> Table | None:
    """The smallest table that fits (None: none has this group with these filters)."""
    if scope.own:
        # An ambassador's rows are few: the fine table, by its ambassador index.
        return FINE_TABLE if _fits(FINE_TABLE, scope, filters, group) else None
    return next((t for t in TABLES if _fits(t, scope, filters, group)), None)


def _period_q(table: Table, filters: Filters, *, days_only: bool) -> Q:
    """Rows of the range: whole months from month rows, the edges from day rows."""
    if not table.grains:
        return Q(day__gte=filters.start, day__lte=filters.end)
    day_rows = Q(grain=GRAIN_DAY)
    if days_only:
        return day_rows & Q(period__gte=filters.start, period__lte=filters.end)
    # Whole months inside the range: [first, last] (month starts).
    first = filters.start if filters.start.day == 1 else _next_month(filters.start)
    following = _next_month(filters.end)
    last = (
        month_start(filters.end)
        if filters.end == following - dt.timedelta(days=1)
        else _prev_month(filters.end)
    )
    if first > last:
        return day_rows & Q(period__gte=filters.start, period__lte=filters.end)
    q = Q(grain=GRAIN_MONTH, period__gte=first, period__lte=last)
    if filters.start < first:
        q |= day_rows & Q(period__gte=filters.start, period__lt=first)
    if _next_month(last) <= filters.end:
        q |= day_rows & Q(period__gte=_next_month(last), period__lte=filters.end)
    return q


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _prev_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _rows(
    scope: Scope,
    filters: Filters,
    *,
    group: str | None = None,
    days_only: bool = False,
    table: Table | None = None,
) -> tuple[Table, QuerySet[Any]]:
    """The rows of the range and filters, from the smallest table that answers (or from
    `table` when given)."""
    table = table or _table(scope, filters, group)
    if table is None:
        raise ValueError(f"no rollup table groups by {group} with these filters")
    qs = scoped(table.model, scope.organization_id).filter(
        _period_q(table, filters, days_only=days_only)
    )
    if scope.membership_id is not None:
        qs = qs.filter(membership_id=scope.membership_id)
    if filters.campaign_id is not None:
        qs = qs.filter(campaign_id=filters.campaign_id)
    if filters.network:
        qs = qs.filter(network=filters.network)
    if filters.team_id is not None:
        if "team_id" in table.dims:
            qs = qs.filter(team_id=filters.team_id)
        else:
            in_team = account_selectors.team_member_ids(team_id=filters.team_id)
            qs = qs.filter(membership_id__in=in_team)
    return table, qs
