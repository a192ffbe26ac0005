"""Recount: what the raw events say, and whether the rollups agree (tests, repairs). Reads
only; nothing here writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from portevoix.accounts import selectors as account_selectors
from portevoix.core.tenancy import scoped

from ..models import (
    GRAIN_DAY,
    GRAIN_MONTH,
    MEASURES,
    DailyRollup,
    MemberTotal,
)
from .cells import COARSE, TEAM, TOTAL, _local_bounds, _month_end, _teams_of, month_start, to_cents
from .engagement import EngagementFigures, engagement_measures
from .sources import Span, raw_events

CellKey = tuple[dt.date, int, int, str]


def rollups_recount(
    *, organization_id: int, start: dt.date, end: dt.date
) -> dict[CellKey, dict[str, int]]:
    """What the raw events say, per fine cell (day, item_id, membership_id, network) in
    [start, end]: {key: {measure: value}}. Cells without any figure are left out.
    Computed in Python, independently of the SQL of `rollups_rebuild`."""
    tz = timezone.get_current_timezone()
    since, until = _local_bounds(start, end)
    span = Span(organization_id, start, end, since, until)
    cells: dict[CellKey, dict[str, int]] = {}

    def cell(day: dt.date, item_id: int, membership_id: int, network: str) -> dict[str, int]:
        key = (day, item_id, membership_id, network)
        return cells.setdefault(key, dict.fromkeys(MEASURES, 0))

    shares = raw_events("shares", span).values_list(
        "ev_id", "ev_at", "ev_item", "ev_member", "ev_network", "ev_personalized", "ev_audience"
    )
    share_keys: dict[int, CellKey] = {}
    for pk, created_at, item_id, membership_id, network, personalized, audience in shares:
        key = (timezone.localtime(created_at, tz).date(), item_id, membership_id, network)
        share_keys[pk] = key
        c = cell(*key)
        c["shares"] += 1
        c["original_posts"] += int(personalized)
        c["potential_reach"] += audience
    clicks = raw_events("clicks", span).values_list(
        "ev_day", "ev_item", "ev_member", "ev_network", "ev_counted"
    )
    for day, item_id, membership_id, network, counted in clicks:
        if counted:
            c = cell(day, item_id, membership_id, network)
            c["clicks"] += 1
            c["unique_visitors"] += 1
    conversions = raw_events("conversions", span).values_list(
        "ev_at", "ev_item", "ev_member", "ev_network", "ev_value"
    )
    for at, item_id, membership_id, network, value in conversions:
        c = cell(timezone.localtime(at, tz).date(), item_id, membership_id, network)
        c["conversions"] += 1
        c["conversion_value_cents"] += to_cents(value)
    # Engagement: each connected post's latest snapshot (latest `at`, then highest id), in
    # the cell of its share.
    # One post per share (Post.share is one-to-one): the latest snapshot per share.
    latest: dict[int, tuple[dt.datetime, int, EngagementFigures]] = {}
    snapshots = raw_events("engagement", span, latest_only=False).values_list(
        "ev_share",
        "ev_snapshot_at",
        "ev_snapshot_id",
        "ev_likes",
        "ev_replies",
        "ev_reposts",
        "ev_quotes",
        "ev_impressions",
    )
    for share_id, at, snapshot_id, likes, replies, reposts, quotes, impressions in snapshots:
        if share_id not in latest or (at, snapshot_id) > latest[share_id][:2]:
            latest[share_id] = (at, snapshot_id, (likes, replies, reposts, quotes, impressions))
    for share_id, (_at, _id, figures) in latest.items():
        c = cell(*share_keys[share_id])
        for m, v in engagement_measures(figures).items():
            c[m] += v
    return {k: v for k, v in cells.items() if any(v.values())}


def rollups_read(
    *, organization_id: int, start: dt.date, end: dt.date
) -> dict[CellKey, dict[str, int]]:
    """What the fine rollup cells say, in the shape of `rollups_recount`."""
    rows = (
        scoped(DailyRollup, organization_id)
        .filter(day__gte=start, day__lte=end)
        .values("day", "item_id", "membership_id", "network", *MEASURES)
    )
    result = {}
    for row in rows:
        values = {m: row[m] for m in MEASURES}
        if any(values.values()):
            result[(row["day"], row["item_id"], row["membership_id"], row["network"])] = values
    return result


def coarse_mismatches(*, organization_id: int, start: dt.date, end: dt.date) -> list[str]:
    """Where a coarse table differs from the sum of the fine cells it summarizes, for the
    days (day rows) and months (month rows) in [start, end]; empty when all agree."""
    problems: list[str] = []
    fine = scoped(DailyRollup, organization_id)
    months = (month_start(start), month_start(end))
    month_days = (months[0], _month_end(end))
    teams = _teams_of(set(account_selectors.membership_ids(organization_id=organization_id)))
    for spec in COARSE:
        if spec is TOTAL:
            continue
        dims = [c for c in spec.key if c not in ("grain", "period")]
        source = ["membership_id", "network"] if spec is TEAM else dims
        for grain, span in ((GRAIN_DAY, (start, end)), (GRAIN_MONTH, month_days)):
            expected: dict[tuple[Any, ...], dict[str, int]] = {}
            rows = fine.filter(day__gte=span[0], day__lte=span[1]).values_list(
                "day", *source, "campaign_id", *MEASURES
            )
            for row in rows:
                day, key_values = row[0], list(row[1 : 1 + len(source)])
                campaign = row[1 + len(source)] or 0
                key_values = [
                    campaign if d == "campaign_id" else v
                    for d, v in zip(source, key_values, strict=True)
                ]
                period = day if grain == GRAIN_DAY else month_start(day)
                keys = (
                    [(period, t, key_values[1]) for t in teams.get(key_values[0], ())]
                    if spec is TEAM
                    else [(period, *key_values)]
                )
                for key in keys:
                    sums = expected.setdefault(key, dict.fromkeys(MEASURES, 0))
                    for m, v in zip(MEASURES, row[2 + len(source) :], strict=True):
                        sums[m] += v
            period_span = span if grain == GRAIN_DAY else months
            actual = {
                (r[0], *r[1 : 1 + len(dims)]): dict(zip(MEASURES, r[1 + len(dims) :], strict=True))
                for r in scoped(spec.model, organization_id)
                .filter(
                    grain=grain,
                    period__gte=period_span[0],
                    period__lte=period_span[1],
                )
                .values_list("period", *dims, *MEASURES)
            }
            actual = {k: v for k, v in actual.items() if any(v.values())}
            expected = {k: v for k, v in expected.items() if any(v.values())}
            if actual != expected:
                missing = set(expected) ^ set(actual)
                wrong = [k for k in set(expected) & set(actual) if expected[k] != actual[k]]
                problems.append(
                    f"{spec.table} grain {grain}: {len(missing)} keys differ, "
                    f"{len(wrong)} values differ"
                )
    # All-time sums per ambassador, on all networks and per network: every fine cell,
    # whatever the range asked.
    expected_totals: dict[tuple[int, str], dict[str, int]] = {}
    for member, network, *values in fine.values_list("membership_id", "network", *MEASURES):
        for total_key in ((member, ""), (member, network)):
            sums = expected_totals.setdefault(total_key, dict.fromkeys(MEASURES, 0))
            for m, v in zip(MEASURES, values, strict=True):
                sums[m] += v
    actual_totals = {
        (r[0], r[1]): dict(zip(MEASURES, r[2:], strict=True))
        for r in scoped(MemberTotal, organization_id).values_list(
            "membership_id", "network", *MEASURES
        )
    }
    if {k: v for k, v in actual_totals.items() if any(v.values())} != {
        k: v for k, v in expected_totals.items() if any(v.values())
    }:
        problems.append(f"{TOTAL.table}: differs")
    return problems
