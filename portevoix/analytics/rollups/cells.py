"""What the rollup writers share: the tables and their keys, a cell's deltas, the upsert
statement, and date helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from portevoix.accounts import selectors as account_selectors

from ..models import (
    GRAIN_DAY,
    GRAIN_MONTH,
    MEASURES,
    CampaignRollup,
    DailyRollup,
    ItemRollup,
    MemberRollup,
    MemberTotal,
    NetworkRollup,
    TeamRollup,
)


def to_cents(value: Decimal | int | float | str) -> int:
    return int((Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@dataclass(frozen=True)
class TableSpec:
    """A rollup table: its key columns (after organization), whether it has grains, and the
    non-key columns written on insert only."""

    model: Any
    key: tuple[str, ...]
    extra: tuple[str, ...] = ()
    grains: bool = True

    @property
    def table(self) -> str:
        return str(self.model._meta.db_table)


FINE = TableSpec(
    DailyRollup, ("day", "item_id", "membership_id", "network"), ("campaign_id",), False
)
MEMBER = TableSpec(MemberRollup, ("grain", "period", "membership_id", "network"))
TEAM = TableSpec(TeamRollup, ("grain", "period", "team_id", "network"))
TOTAL = TableSpec(MemberTotal, ("membership_id", "network"), grains=False)
COARSE = (
    TableSpec(NetworkRollup, ("grain", "period", "network")),
    TableSpec(CampaignRollup, ("grain", "period", "campaign_id", "network")),
    TableSpec(ItemRollup, ("grain", "period", "item_id", "network"), ("campaign_id",)),
    MEMBER,
    TEAM,  # after MEMBER: rebuilt from it
    TOTAL,  # after MEMBER: rebuilt from it
)
TABLES = (FINE, *COARSE)


@dataclass
class Delta:
    """Deltas for one fine cell."""

    organization_id: int
    day: dt.date
    item_id: int
    campaign_id: int | None
    membership_id: int
    network: str
    values: dict[str, int] = field(default_factory=dict)


def _coarse_rows(
    spec: TableSpec, delta: Delta, teams: dict[int, list[int]]
) -> list[dict[str, Any]]:
    if spec is TEAM:
        return [
            {**row, "team_id": team}
            for team in teams.get(delta.membership_id, ())
            for row in _coarse_rows(MEMBER, delta, teams)
        ]
    if spec is TOTAL:  # all networks (""), and the network
        return [
            {
                "organization_id": delta.organization_id,
                "membership_id": delta.membership_id,
                "network": network,
            }
            for network in ("", delta.network)
        ]
    base = {
        "organization_id": delta.organization_id,
        "item_id": delta.item_id,
        "membership_id": delta.membership_id,
        "network": delta.network,
        "campaign_id": delta.campaign_id or 0,
    }
    return [
        {**base, "grain": GRAIN_DAY, "period": delta.day},
        {**base, "grain": GRAIN_MONTH, "period": month_start(delta.day)},
    ]


def _upsert(spec: TableSpec, rows: Sequence[dict[str, Any]]) -> None:
    """One INSERT ... ON CONFLICT DO UPDATE statement adding `rows` (distinct keys)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    key = ("organization_id", *spec.key)
    columns = (*key, *spec.extra, *MEASURES)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    table = qn(spec.table)
    sets = ", ".join(f"{qn(m)} = {table}.{qn(m)} + excluded.{qn(m)}" for m in MEASURES)
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608 - quoted identifiers; values are parameters
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({', '.join(qn(c) for c in key)}) DO UPDATE SET {sets}"
    )
    params: list[Any] = []
    for row in rows:
        params.extend(row.get(c, 0) if c in MEASURES else row[c] for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _merge(rows: Iterable[dict[str, Any]], key: Sequence[str]) -> list[dict[str, Any]]:
    """Sum rows that share a key (one statement may not touch a row twice)."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        if k in merged:
            for m in MEASURES:
                merged[k][m] = merged[k].get(m, 0) + row.get(m, 0)
        else:
            merged[k] = dict(row)
    return list(merged.values())


# Statements carry at most this many rows (SQLite allows 32,766 parameters per statement).
_BATCH_ROWS = 500


def _teams_of(membership_ids: set[int]) -> dict[int, list[int]]:
    return account_selectors.teams_by_member(membership_ids)


def _local_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) in the local time zone, as aware datetimes."""
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz),
    )


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)
