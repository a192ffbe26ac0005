"""Incremental rollups: the only way figures reach the dashboards.

`rollup_add` is the contract the sharing app calls (on a share, a counted click, a
conversion), inside the same transaction as the raw event, so the rollups always equal a
recount of the raw events. Each rollup table gets one upsert statement
(`INSERT ... ON CONFLICT (key) DO UPDATE SET x = x + excluded.x`), which both SQLite and
PostgreSQL run atomically: concurrent writers add up, none is lost.

`rollups_rebuild` recomputes the cells of a date range from the raw Share, Click,
Conversion and EngagementSnapshot rows (to repair, or after an item changed campaign);
`rollups_recount` says what the raw events say, without writing, so that tests can compare.

How raw events map to cells (docs/metrics.md, "Dashboards"):
- a share counts on the local day (settings.TIME_ZONE) of `Share.created_at`: shares +1,
  original_posts +1 when personalized, potential_reach + `Share.audience`;
- a click counts on `Click.day` when it is `counted` (the first click of that visitor on
  that link that day; repeat clicks are kept raw but not counted): clicks +1 and
  unique_visitors +1. A cell is one link on one day, so within a cell every counted click
  is a new visitor; summed over cells, unique visitors are "distinct visitors per link and
  day" (the visitor hash rotates daily, so no visitor is known across days);
- a conversion counts on the local day of `Conversion.at`, for the link it is attributed
  to (conversions without a link are not in any cell): conversions +1, value in cents;
- engagement counts in the cell of the share of a post published through a connected
  account (`Share.post`: the share is created at publication, so on the local day of the
  publication), from the post's latest `EngagementSnapshot` (latest `at`, then highest id):
  engagements + likes + replies + reposts + quotes, impressions + impressions,
  impression_engagements + the same engagements when the snapshot has impressions (a
  figure the network does not give, None, counts 0). The publishing engine keeps the cells
  up to date by adding, each time a new snapshot becomes a post's latest, the change
  `engagement_delta(previous, current)` through `rollup_add`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round, TruncDate, TruncMonth
from django.utils import timezone

from portevoix.core.tenancy import scoped

from .models import (
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


def _teams_of(membership_ids: set[int]) -> dict[int, list[int]]:
    from portevoix.accounts.models import Membership

    if not membership_ids:
        return {}
    result: dict[int, list[int]] = defaultdict(list)
    rows = Membership.teams.through.objects.filter(membership_id__in=membership_ids)
    for membership_id, team_id in rows.values_list("membership_id", "team_id"):
        result[membership_id].append(team_id)
    return result


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


# --- Engagement from publishing snapshots

# (likes, replies, reposts, quotes, impressions), as in an EngagementSnapshot: None where
# the network does not give the figure.
EngagementFigures = tuple[int | None, int | None, int | None, int | None, int | None]
ENGAGEMENT_MEASURES = ("engagements", "impressions", "impression_engagements")


def engagement_measures(figures: EngagementFigures | None) -> dict[str, int]:
    """The three engagement measures of one post's latest snapshot (None: no snapshot)."""
    if figures is None:
        return dict.fromkeys(ENGAGEMENT_MEASURES, 0)
    if len(figures) != 5:
        raise ValueError("expected (likes, replies, reposts, quotes, impressions)")
    likes, replies, reposts, quotes, impressions = figures
    engagements = sum(v or 0 for v in (likes, replies, reposts, quotes))
    return {
        "engagements": engagements,
        "impressions": impressions or 0,
        "impression_engagements": engagements if impressions is not None else 0,
    }


def engagement_delta(
    previous: EngagementFigures | None, current: EngagementFigures
) -> dict[str, int]:
    """What a post's cell gains (or loses) when its latest snapshot goes from `previous`
    (None: the post had none) to `current`: {engagements, impressions,
    impression_engagements}, to pass to `rollup_add` as is. Each tuple is (likes, replies,
    reposts, quotes, impressions), None where the network does not give the figure."""
    before, after = engagement_measures(previous), engagement_measures(current)
    return {m: after[m] - before[m] for m in ENGAGEMENT_MEASURES}


# --- Recount and rebuild from the raw events

CellKey = tuple[dt.date, int, int, str]


def _local_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) in the local time zone, as aware datetimes."""
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz),
    )


def rollups_recount(
    *, organization_id: int, start: dt.date, end: dt.date
) -> dict[CellKey, dict[str, int]]:
    """What the raw events say, per fine cell (day, item_id, membership_id, network) in
    [start, end]: {key: {measure: value}}. Cells without any figure are left out.
    Computed in Python, independently of the SQL of `rollups_rebuild`."""
    from portevoix.publishing.models import EngagementSnapshot
    from portevoix.sharing.models import Click, Conversion, Share

    tz = timezone.get_current_timezone()
    since, until = _local_bounds(start, end)
    cells: dict[CellKey, dict[str, int]] = {}

    def cell(day: dt.date, item_id: int, membership_id: int, network: str) -> dict[str, int]:
        key = (day, item_id, membership_id, network)
        return cells.setdefault(key, dict.fromkeys(MEASURES, 0))

    shares = (
        scoped(Share, organization_id)
        .filter(created_at__gte=since, created_at__lt=until)
        .values_list(
            "pk", "created_at", "item_id", "membership_id", "network", "personalized", "audience"
        )
    )
    share_keys: dict[int, CellKey] = {}
    for pk, created_at, item_id, membership_id, network, personalized, audience in shares:
        key = (timezone.localtime(created_at, tz).date(), item_id, membership_id, network)
        share_keys[pk] = key
        c = cell(*key)
        c["shares"] += 1
        c["original_posts"] += int(personalized)
        c["potential_reach"] += audience
    clicks = (
        scoped(Click, organization_id)
        .filter(day__gte=start, day__lte=end)
        .values_list("day", "item_id_copy", "membership_id_copy", "network", "counted")
    )
    for day, item_id, membership_id, network, counted in clicks:
        if counted:
            c = cell(day, item_id, membership_id, network)
            c["clicks"] += 1
            c["unique_visitors"] += 1
    conversions = (
        scoped(Conversion, organization_id)
        .filter(link__isnull=False, at__gte=since, at__lt=until)
        .values_list("at", "link__item_id", "link__membership_id", "link__network", "value")
    )
    for at, item_id, membership_id, network, value in conversions:
        c = cell(timezone.localtime(at, tz).date(), item_id, membership_id, network)
        c["conversions"] += 1
        c["conversion_value_cents"] += to_cents(value)
    # Engagement: each connected post's latest snapshot (latest `at`, then highest id), in
    # the cell of its share.
    in_range = {
        "post__share__organization_id": organization_id,
        "post__share__created_at__gte": since,
        "post__share__created_at__lt": until,
    }
    # One post per share (Post.share is one-to-one): the latest snapshot per share.
    latest: dict[int, tuple[dt.datetime, int, EngagementFigures]] = {}
    snapshots = EngagementSnapshot.objects.filter(**in_range).values_list(
        "post__share_id", "at", "id", "likes", "replies", "reposts", "quotes", "impressions"
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
    from portevoix.accounts.models import Membership

    teams = _teams_of(set(scoped(Membership, organization_id).values_list("pk", flat=True)))
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


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _compile(qs: Any) -> tuple[str, tuple[Any, ...]]:
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def _fine_sources(organization_id: int, start: dt.date, end: dt.date) -> list[Any]:
    """One ungrouped query per kind of raw event, each selecting, in this order: day,
    item_id, membership_id, network, then every measure of MEASURES."""
    from portevoix.publishing.models import EngagementSnapshot
    from portevoix.sharing.models import Click, Conversion, Share

    tz = timezone.get_current_timezone()
    since, until = _local_bounds(start, end)

    def const(n: int) -> Value:
        return Value(n, output_field=BigIntegerField())

    zeros = {m: const(0) for m in MEASURES}
    names = ("c_day", "c_item", "c_member", "c_network", *(f"c_{m}" for m in MEASURES))

    def shaped(qs: Any, day: Any, item: str, member: str, network: str, **measures: Any) -> Any:
        exprs = [day, F(item), F(member), F(network)]
        exprs += [measures.get(m, zeros[m]) for m in MEASURES]
        # Annotate in the order of `names`, so the SELECT has the columns in that order.
        for name, expr in zip(names, exprs, strict=True):
            qs = qs.annotate(**{name: expr})
        return qs.values_list(*names)

    shares = shaped(
        scoped(Share, organization_id).filter(created_at__gte=since, created_at__lt=until),
        TruncDate("created_at", tzinfo=tz),
        "item_id",
        "membership_id",
        "network",
        shares=const(1),
        original_posts=Case(When(personalized=True, then=const(1)), default=const(0)),
        potential_reach=Cast("audience", BigIntegerField()),
    )
    clicks = shaped(
        scoped(Click, organization_id).filter(day__gte=start, day__lte=end, counted=True),
        F("day"),
        "item_id_copy",
        "membership_id_copy",
        "network",
        clicks=const(1),
        unique_visitors=const(1),
    )
    conversions = shaped(
        scoped(Conversion, organization_id).filter(link__isnull=False, at__gte=since, at__lt=until),
        TruncDate("at", tzinfo=tz),
        "link__item_id",
        "link__membership_id",
        "link__network",
        conversions=const(1),
        conversion_value_cents=Cast(Round(F("value") * 100), BigIntegerField()),
    )
    # The latest snapshot of each connected post (latest `at`, then highest id), in the
    # cell of the post's share.
    latest_id = Subquery(
        EngagementSnapshot.objects.filter(post_id=OuterRef("post_id"))
        .order_by("-at", "-id")
        .values("id")[:1]
    )

    def figure(name: str) -> Any:
        return Coalesce(Cast(name, BigIntegerField()), const(0))

    engaged = ExpressionWrapper(
        figure("likes") + figure("replies") + figure("reposts") + figure("quotes"),
        output_field=BigIntegerField(),
    )
    snapshots = shaped(
        EngagementSnapshot.objects.filter(
            post__share__organization_id=organization_id,
            post__share__created_at__gte=since,
            post__share__created_at__lt=until,
            id=latest_id,
        ),
        TruncDate("post__share__created_at", tzinfo=tz),
        "post__share__item_id",
        "post__share__membership_id",
        "post__share__network",
        engagements=engaged,
        impressions=figure("impressions"),
        impression_engagements=Case(
            When(impressions__isnull=False, then=engaged),
            default=const(0),
            output_field=BigIntegerField(),
        ),
    )
    return [shares, clicks, conversions, snapshots]


def rollups_rebuild(*, organization_id: int, start: dt.date, end: dt.date) -> int:
    """Recompute every rollup cell of `organization_id` for the days [start, end] (and the
    month rows of the months they touch) from the raw events, in one transaction. Returns
    the number of fine cells written. Set-based SQL: INSERT ... SELECT ... GROUP BY."""
    from portevoix.content.models import ContentItem

    qn = connection.ops.quote_name
    sources = [_compile(qs) for qs in _fine_sources(organization_id, start, end)]
    union = " UNION ALL ".join(
        f"SELECT * FROM ({sql}) AS src{i}"  # noqa: S608 - compiled ORM queries
        for i, (sql, _p) in enumerate(sources)
    )
    params: list[Any] = [p for _sql, ps in sources for p in ps]
    measures_sum = ", ".join(f"SUM(ev.{qn('c_' + m)}) AS {qn(m)}" for m in MEASURES)
    grouped = (
        f"SELECT ev.{qn('c_day')} AS day, ev.{qn('c_item')} AS item_id, "  # noqa: S608 - quoted identifiers; values are parameters
        f"ev.{qn('c_member')} AS membership_id, ev.{qn('c_network')} AS network, {measures_sum} "
        f"FROM ({union}) AS ev "
        f"GROUP BY ev.{qn('c_day')}, ev.{qn('c_item')}, ev.{qn('c_member')}, ev.{qn('c_network')}"
    )
    fine_columns = (
        "organization_id",
        "day",
        "item_id",
        "campaign_id",
        "membership_id",
        "network",
        *MEASURES,
    )
    item_table = qn(ContentItem._meta.db_table)
    insert_fine = (
        f"INSERT INTO {qn(FINE.table)} ({', '.join(qn(c) for c in fine_columns)}) "  # noqa: S608 - quoted identifiers; values are parameters
        f"SELECT %s, g.day, g.item_id, i.{qn('campaign_id')}, g.membership_id, g.network, "
        + ", ".join(f"g.{qn(m)}" for m in MEASURES)
        + f" FROM ({grouped}) AS g LEFT JOIN {item_table} AS i ON i.{qn('id')} = g.item_id"
    )
    months = (month_start(start), month_start(end))
    with transaction.atomic(), connection.cursor() as cursor:
        scoped(DailyRollup, organization_id).filter(day__gte=start, day__lte=end).delete()
        cursor.execute(insert_fine, [organization_id, *params])
        written = cursor.rowcount
        for spec in COARSE:
            if spec is TOTAL:
                scoped(MemberTotal, organization_id).delete()
                _rebuild_totals(cursor, organization_id)
                continue
            scoped(spec.model, organization_id).filter(
                Q(grain=GRAIN_DAY, period__gte=start, period__lte=end)
                | Q(grain=GRAIN_MONTH, period__gte=months[0], period__lte=months[1]),
            ).delete()
            if spec is TEAM:
                _rebuild_teams(cursor, organization_id, start, end)
                continue
            for grain, span in (
                (GRAIN_DAY, (start, end)),
                (GRAIN_MONTH, (months[0], _month_end(end))),
            ):
                sql, qparams = _compile(_coarse_select(spec, organization_id, grain, span))
                columns = ("organization_id", "grain", "period", *_coarse_dims(spec), *MEASURES)
                cursor.execute(
                    f"INSERT INTO {qn(spec.table)} ({', '.join(qn(c) for c in columns)}) {sql}",
                    qparams,
                )
    return written


# The fine cells summed per (grain, period, ambassador, network): the source of team rows.
_PER_MEMBER = TableSpec(MemberRollup, ("grain", "period", "membership_id", "network"))


def _rebuild_teams(cursor: Any, organization_id: int, start: dt.date, end: dt.date) -> None:
    """Team rows from the fine cells and the current teams (a person in two teams counts
    in both)."""
    from portevoix.accounts.models import Membership

    qn = connection.ops.quote_name
    through = qn(Membership.teams.through._meta.db_table)
    columns = ("organization_id", "grain", "period", "team_id", "network", *MEASURES)
    sums = ", ".join(f"SUM(g.{qn('s_' + c)})" for c in MEASURES)
    spans = ((GRAIN_DAY, (start, end)), (GRAIN_MONTH, (month_start(start), _month_end(end))))
    for grain, span in spans:
        inner, params = _compile(_coarse_select(_PER_MEMBER, organization_id, grain, span))
        cursor.execute(
            f"INSERT INTO {qn(TEAM.table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608
            f"SELECT g.{qn('g_org')}, g.{qn('g_grain')}, g.{qn('g_period')}, "
            f"t.{qn('team_id')}, g.{qn('g_network')}, {sums} FROM ({inner}) AS g "
            f"JOIN {through} AS t ON t.{qn('membership_id')} = g.{qn('g_membership_id')} "
            f"GROUP BY g.{qn('g_org')}, g.{qn('g_grain')}, g.{qn('g_period')}, "
            f"t.{qn('team_id')}, g.{qn('g_network')}",
            params,
        )


def _rebuild_totals(cursor: Any, organization_id: int) -> None:
    """All-time sums per ambassador: on all networks from their month rows, per network
    from their fine cells."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in ("organization_id", "membership_id", "network", *MEASURES))
    sums = ", ".join(f"SUM({qn(c)})" for c in MEASURES)
    org, member, network = qn("organization_id"), qn("membership_id"), qn("network")
    cursor.execute(
        f"INSERT INTO {qn(TOTAL.table)} ({columns}) "  # noqa: S608
        f"SELECT {org}, {member}, %s, {sums} FROM {qn(MEMBER.table)} "
        f"WHERE {org} = %s AND {qn('grain')} = %s GROUP BY {org}, {member}",
        ["", organization_id, GRAIN_MONTH],
    )
    cursor.execute(
        f"INSERT INTO {qn(TOTAL.table)} ({columns}) "  # noqa: S608
        f"SELECT {org}, {member}, {network}, {sums} FROM {qn(FINE.table)} "
        f"WHERE {org} = %s GROUP BY {org}, {member}, {network}",
        [organization_id],
    )


def _coarse_dims(spec: TableSpec) -> tuple[str, ...]:
    return tuple(c for c in (*spec.key, *spec.extra) if c not in ("grain", "period"))


def _coarse_select(
    spec: TableSpec, organization_id: int, grain: str, span: tuple[dt.date, dt.date]
) -> Any:
    """SELECT organization_id, grain, period, <dims>, <sums> FROM the fine cells, grouped."""
    zero = Value(0, output_field=BigIntegerField())
    period: Any = F("day") if grain == GRAIN_DAY else TruncMonth("day", output_field=DateField())
    dims: dict[str, Any] = {
        "item_id": F("item_id"),
        "membership_id": F("membership_id"),
        "network": F("network"),
    }
    group_exprs: list[tuple[str, Any]] = [
        ("g_org", F("organization_id")),
        ("g_grain", Value(grain, output_field=CharField())),
        ("g_period", period),
    ]
    campaign = Coalesce("campaign_id", zero)
    for d in spec.key:
        if d in ("grain", "period"):
            continue
        group_exprs.append((f"g_{d}", campaign if d == "campaign_id" else dims[d]))
    qs = scoped(DailyRollup, organization_id).filter(day__gte=span[0], day__lte=span[1])
    for name, expr in group_exprs:
        qs = qs.annotate(**{name: expr})
    qs = qs.values(*(name for name, _e in group_exprs))
    aggregates: list[tuple[str, Any]] = [
        (f"g_{d}", Coalesce(Max("campaign_id"), zero)) for d in spec.extra
    ]
    aggregates += [(f"s_{m}", Sum(m)) for m in MEASURES]
    for name, expr in aggregates:
        qs = qs.annotate(**{name: expr})
    return qs.values_list(*(name for name, _e in group_exprs), *(name for name, _e in aggregates))
