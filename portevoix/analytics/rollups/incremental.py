"""Incremental updates: each raw event adds its deltas to every rollup table, in the
transaction of the event (one upsert statement per table)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction

from portevoix.core.tenancy import scoped

from ..models import (
    GRAIN_DAY,
    GRAIN_MONTH,
    MEASURES,
    DailyRollup,
)
from .cells import (
    _BATCH_ROWS,
    COARSE,
    FINE,
    TEAM,
    Delta,
    TableSpec,
    _coarse_rows,
    _merge,
    _teams_of,
    _upsert,
    month_start,
    to_cents,
)


def rollups_add_many(deltas: Iterable[Delta]) -> None:
    """Add many deltas at once: merged per cell, one upsert statement per table and batch.
    For batch writers (the click ingester); `rollup_add` is the one-event form."""
    fine: list[dict[str, Any]] = []
    coarse: dict[TableSpec, list[dict[str, Any]]] = defaultdict(list)
    deltas = [d for d in deltas if any(d.values.values())]
    teams = _teams_of({d.membership_id for d in deltas})
    for delta in deltas:
        fine.append(
            {
                "organization_id": delta.organization_id,
                "day": delta.day,
                "item_id": delta.item_id,
                "membership_id": delta.membership_id,
                "network": delta.network,
                "campaign_id": delta.campaign_id,
                **delta.values,
            }
        )
        for spec in COARSE:
            coarse[spec].extend({**row, **delta.values} for row in _coarse_rows(spec, delta, teams))
    if not fine:
        return
    with transaction.atomic():
        for spec, rows in ((FINE, fine), *((s, coarse[s]) for s in COARSE)):
            merged = _merge(rows, ("organization_id", *spec.key))
            for start in range(0, len(merged), _BATCH_ROWS):
                _upsert(spec, merged[start : start + _BATCH_ROWS])


def team_membership_changed(
    *, organization_id: int, membership_id: int, added: Iterable[int], removed: Iterable[int]
) -> None:
    """Move an ambassador's whole history into the teams they joined and out of those they
    left, so team figures always follow the current teams (as a join would)."""
    added, removed = set(added) - set(removed), set(removed) - set(added)
    if not added and not removed:
        return
    history: dict[tuple[str, dt.date, str], dict[str, int]] = {}
    cells = (
        scoped(DailyRollup, organization_id)
        .filter(membership_id=membership_id)
        .values_list("day", "network", *MEASURES)
    )
    for day, network, *values in cells:
        for grain, period in ((GRAIN_DAY, day), (GRAIN_MONTH, month_start(day))):
            sums = history.setdefault((grain, period, network), dict.fromkeys(MEASURES, 0))
            for m, v in zip(MEASURES, values, strict=True):
                sums[m] += v
    rows = []
    for team_id, sign in [*((t, 1) for t in added), *((t, -1) for t in removed)]:
        for (grain, period, network), sums in history.items():
            rows.append(
                {
                    "organization_id": organization_id,
                    "grain": grain,
                    "period": period,
                    "team_id": team_id,
                    "network": network,
                    **{m: sign * sums[m] for m in MEASURES},
                }
            )
    with transaction.atomic():
        for start in range(0, len(rows), _BATCH_ROWS):
            _upsert(TEAM, rows[start : start + _BATCH_ROWS])


def rollup_add(
    *,
    organization_id: int,
    day: dt.date,
    item_id: int,
    campaign_id: int | None,
    membership_id: int,
    network: str,
    shares: int = 0,
    original_posts: int = 0,
    potential_reach: int = 0,
    clicks: int = 0,
    unique_visitors: int = 0,
    conversions: int = 0,
    conversion_value: Decimal = Decimal(0),
    engagements: int = 0,
    impressions: int = 0,
    impression_engagements: int = 0,
) -> None:
    """Add these deltas to the daily rollup cell (org, day, item, campaign, ambassador,
    network), creating it if needed. Concurrency-safe (one upsert statement per table).
    Engagement deltas may be negative (a like withdrawn): see `engagement_delta`."""
    rollups_add_many(
        [
            Delta(
                organization_id=organization_id,
                day=day,
                item_id=item_id,
                campaign_id=campaign_id,
                membership_id=membership_id,
                network=network,
                values={
                    "shares": shares,
                    "original_posts": original_posts,
                    "potential_reach": potential_reach,
                    "clicks": clicks,
                    "unique_visitors": unique_visitors,
                    "conversions": conversions,
                    "conversion_value_cents": to_cents(conversion_value),
                    "engagements": engagements,
                    "impressions": impressions,
                    "impression_engagements": impression_engagements,
                },
            )
        ]
    )
