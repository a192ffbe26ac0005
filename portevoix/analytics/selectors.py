"""Reads of the dashboards: totals, breakdowns and time series, from the rollups only.

Every selector takes the acting membership and a `Filters` (date range, inclusive, plus
optional campaign, team and network), and authorizes itself: `analytics.view_org` sees the
whole organization; `analytics.view_own` (an ambassador) sees only their own figures,
whatever they ask for. Raw shares, clicks and conversions are never read here.

Which rollup table answers: the smallest one that has every dimension the question needs
(see `models.py`); a range is read as its whole months (month rows) plus the days at its
edges (day rows), unless the question needs days or weeks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, cast

from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from portevoix.accounts.models import Membership, Team
from portevoix.accounts.permissions import can, require
from portevoix.content.models import Campaign, ContentItem
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.networks import Network
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
from .rollups import month_start

Dimension = Literal["item", "campaign", "team", "ambassador", "network"]
DIMENSIONS: tuple[Dimension, ...] = ("item", "campaign", "team", "ambassador", "network")
Unit = Literal["day", "week", "month"]
UNITS: tuple[Unit, ...] = ("day", "week", "month")
# What a breakdown may be sorted by (descending).
ORDERS = (
    "clicks",
    "shares",
    "original_posts",
    "potential_reach",
    "unique_visitors",
    "conversions",
    "conversion_value",
    "engagements",
    "impressions",
)
TOP = 50
MAX_RANGE_DAYS = 3 * 366

# The column that holds each dimension in the rollup tables.
DIMENSION_COLUMN = {
    "item": "item_id",
    "campaign": "campaign_id",
    "ambassador": "membership_id",
    "team": "team_id",
    "network": "network",
}


# --- Figures


# Networks that give ordinary apps no metrics of their members' posts (LinkedIn keeps
# them for partner programmes): their engagement figures are "not available", never 0.
ENGAGEMENT_UNAVAILABLE = frozenset({Network.LINKEDIN})
# The engagement figures, as `Figures.as_dict` names them (None where not available).
ENGAGEMENT_FIGURES = ("engagements", "impressions", "impression_engagements", "engagement_rate")


def unmeasured(network: str | None) -> str:
    """`network` when figures of that network alone have no engagement, else ""."""
    return network if network in ENGAGEMENT_UNAVAILABLE else ""


@dataclass(frozen=True)
class Figures:
    shares: int = 0
    original_posts: int = 0
    potential_reach: int = 0
    clicks: int = 0
    unique_visitors: int = 0
    conversions: int = 0
    conversion_value: Decimal = Decimal("0.00")
    engagements: int = 0
    impressions: int = 0
    impression_engagements: int = 0
    # The network these figures are all from, when that network gives no engagement figures
    # (LinkedIn): then they are "not available", not 0. "" otherwise.
    unmeasured_network: str = ""

    @classmethod
    def from_sums(cls, row: dict[str, Any], *, unmeasured_network: str = "") -> Figures:
        values = {m: int(row.get(m) or 0) for m in MEASURES}
        cents = values.pop("conversion_value_cents")
        return cls(
            **values,
            conversion_value=(Decimal(cents) / 100).quantize(Decimal("0.01")),
            unmeasured_network=unmeasured_network,
        )

    @property
    def click_through(self) -> Decimal | None:
        """Clicks ÷ shares (None when there is no share: shown as "—")."""
        if not self.shares:
            return None
        return (Decimal(self.clicks) / Decimal(self.shares)).quantize(Decimal("0.01"))

    @property
    def engagement_available(self) -> bool:
        return not self.unmeasured_network

    @property
    def unavailable_text(self) -> str:
        """Why the engagement figures are not shown ("" when they are)."""
        if not self.unmeasured_network:
            return ""
        network = Network.LABELS.get(self.unmeasured_network, self.unmeasured_network)
        return _("not available from %(network)s") % {"network": network}

    @property
    def engagement_rate(self) -> Decimal | None:
        """Engagements of the posts whose network reports impressions ÷ impressions, a
        ratio with four decimals (None when there is no impression, or not available)."""
        if not self.impressions or not self.engagement_available:
            return None
        return (Decimal(self.impression_engagements) / Decimal(self.impressions)).quantize(
            Decimal("0.0001")
        )

    @property
    def engagement_rate_percent(self) -> Decimal | None:
        """The same rate in percent, two decimals (for the pages)."""
        if self.engagement_rate is None:
            return None
        return (Decimal(self.impression_engagements) * 100 / Decimal(self.impressions)).quantize(
            Decimal("0.01")
        )

    def as_dict(self) -> dict[str, Any]:
        available = self.engagement_available
        return {
            "shares": self.shares,
            "original_posts": self.original_posts,
            "potential_reach": self.potential_reach,
            "clicks": self.clicks,
            "unique_visitors": self.unique_visitors,
            "click_through": self.click_through,
            "conversions": self.conversions,
            "conversion_value": self.conversion_value,
            "engagements": self.engagements if available else None,
            "impressions": self.impressions if available else None,
            "impression_engagements": self.impression_engagements if available else None,
            "engagement_rate": self.engagement_rate,
            "engagement_available": available,
        }


SUMS = {m: Sum(m) for m in MEASURES}


# --- Filters and scope


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    campaign_id: int | None = None
    team_id: int | None = None
    network: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Scope:
    """Whose figures a membership may read: the organization, or one ambassador."""

    organization_id: int
    membership_id: int | None  # None: the whole organization

    @property
    def own(self) -> bool:
        return self.membership_id is not None


def scope_of(membership: Membership, *, own: bool = False) -> Scope:
    """The organization for `analytics.view_org`; the member alone for
    `analytics.view_own` (or when `own` is asked); otherwise PermissionDenied."""
    if not own and can(membership, "analytics.view_org"):
        return Scope(membership.organization_id, None)
    if can(membership, "analytics.view_own"):
        return Scope(membership.organization_id, membership.pk)
    raise PermissionDenied("Not allowed: analytics.view_own")


def can_view(membership: Membership | None) -> bool:
    return can(membership, "analytics.view_org") or can(membership, "analytics.view_own")


class FiltersRefused(DomainError):
    """Filters the API cannot answer as asked (the pages adjust them instead)."""

    status = 422


def filters_as_asked(
    membership: Membership,
    *,
    start: dt.date,
    end: dt.date,
    campaign_id: int | None = None,
    team_id: int | None = None,
    network: str | None = None,
    scope: Literal["org", "own"] | None = None,
) -> tuple[Filters, bool]:
    """The API's filters and whether they read one's own figures, exactly as asked: a
    reversed or too long range is refused (422), never swapped or shortened; asking for the
    organization's figures without `analytics.view_org` is refused (403), not answered
    with one's own. No scope: the organization's when allowed, else one's own."""
    if end < start:
        message = _("The end date is before the start date.")
        raise FiltersRefused(message, field_errors={"end": [message]})
    if (end - start).days >= MAX_RANGE_DAYS:
        message = _("The period is longer than %(days)s days.") % {"days": MAX_RANGE_DAYS}
        raise FiltersRefused(message, field_errors={"start": [message]})
    filters = filters_for(
        membership,
        start=start,
        end=end,
        campaign_id=campaign_id,
        team_id=team_id,
        network=network,
    )
    if scope == "org":
        require(membership, "analytics.view_org")
    return filters, scope_of(membership, own=scope == "own").own


def filters_for(
    membership: Membership,
    *,
    start: dt.date,
    end: dt.date,
    campaign_id: int | None = None,
    team_id: int | None = None,
    network: str | None = None,
) -> Filters:
    """Checked filters: a campaign or team of another organization is NotFound (404)."""
    if end < start:
        start, end = end, start
    if (end - start).days >= MAX_RANGE_DAYS:
        start = end - dt.timedelta(days=MAX_RANGE_DAYS - 1)
    org = membership.organization_id
    if campaign_id is not None and not scoped(Campaign, org).filter(pk=campaign_id).exists():
        raise NotFound("No such campaign.")
    if team_id is not None and not scoped(Team, org).filter(pk=team_id).exists():
        raise NotFound("No such team.")
    if network is not None and network not in Network.ALL:
        raise NotFound("No such network.")
    return Filters(start, end, campaign_id, team_id, network)


# --- Which table, which rows


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
    scope: Scope, filters: Filters, *, group: str | None = None, days_only: bool = False
) -> tuple[Table, QuerySet[Any]]:
    table = _table(scope, filters, group)
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
            in_team = Membership.teams.through.objects.filter(team_id=filters.team_id)
            qs = qs.filter(membership_id__in=in_team.values("membership_id"))
    return table, qs


# --- Totals


def totals(*, membership: Membership, filters: Filters, own: bool = False) -> Figures:
    scope = scope_of(membership, own=own)
    _, qs = _rows(scope, filters)
    return Figures.from_sums(qs.aggregate(**SUMS), unmeasured_network=unmeasured(filters.network))


# --- Time series


@dataclass(frozen=True)
class Point:
    start: dt.date
    figures: Figures


def bucket_start(day: dt.date, unit: Unit) -> dt.date:
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return month_start(day)
    return day


def buckets(filters: Filters, unit: Unit) -> list[dt.date]:
    result = []
    current = bucket_start(filters.start, unit)
    while current <= filters.end:
        result.append(current)
        if unit == "day":
            current += dt.timedelta(days=1)
        elif unit == "week":
            current += dt.timedelta(days=7)
        else:
            current = _next_month(current)
    return result


def timeseries(
    *, membership: Membership, filters: Filters, unit: Unit, own: bool = False
) -> list[Point]:
    """One point per day, week (Monday) or month of the range, empty ones included. The
    first and last buckets may cover only part of a week or month.

    The database groups by the rows' own period (a day, or a month for month rows) and the
    buckets are folded here: at most a few hundred rows, and no date function evaluated
    per row (on SQLite, Django's Trunc is a Python function called for every row)."""
    scope = scope_of(membership, own=own)
    table, qs = _rows(scope, filters, days_only=unit != "month")
    column = "period" if table.grains else "day"
    sums: dict[dt.date, dict[str, int]] = {}
    for row in qs.values(column).annotate(**SUMS).order_by(column):
        bucket = bucket_start(_as_date(row[column]), unit)
        acc = sums.setdefault(bucket, dict.fromkeys(MEASURES, 0))
        for m in MEASURES:
            acc[m] += int(row[m] or 0)
    na = unmeasured(filters.network)
    return [
        Point(start, Figures.from_sums(sums.get(start, {}), unmeasured_network=na))
        for start in buckets(filters, unit)
    ]


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return cast(dt.date, value)


# --- Breakdowns


@dataclass(frozen=True)
class Row:
    key: str  # the id, or the network code ("" for "no campaign")
    label: str
    figures: Figures


@dataclass
class Breakdown:
    dimension: Dimension
    order: str
    rows: list[Row] = field(default_factory=list)
    limit: int | None = TOP

    @property
    def truncated(self) -> bool:
        return self.limit is not None and len(self.rows) >= self.limit


def _order_column(order: str) -> str:
    if order not in ORDERS:
        order = "clicks"
    return "conversion_value_cents" if order == "conversion_value" else order


def _grouped(
    scope: Scope, filters: Filters, dimension: Dimension, order: str
) -> tuple[str, QuerySet[Any]]:
    column = DIMENSION_COLUMN[dimension]
    _, qs = _rows(scope, filters, group=column)
    order_col = _order_column(order)
    grouped = qs.values(column).annotate(**SUMS).order_by(f"-{order_col}", column)
    return column, grouped


# Many keys (people, items): rank on the one sorted figure first, then sum every figure
# for the top keys only.
TWO_PHASE = ("ambassador", "item")


def _top(
    scope: Scope, filters: Filters, dimension: Dimension, order: str, limit: int
) -> list[dict[str, Any]]:
    column = DIMENSION_COLUMN[dimension]
    _, qs = _rows(scope, filters, group=column)
    order_col = _order_column(order)
    ranked = list(
        qs.values(column)
        .annotate(rank_value=Sum(order_col))
        .order_by("-rank_value", column)
        .values_list(column, flat=True)[:limit]
    )
    if not ranked:
        return []
    sums = {
        row[column]: row
        for row in qs.filter(**{f"{column}__in": ranked}).values(column).annotate(**SUMS)
    }
    return [sums[key] for key in ranked if key in sums]


# The bounded walk pays off on long ranges, where a range's sums are close to the all-time
# ones; short ranges read few rows anyway.
WALK_MIN_DAYS = 60
WALK_BATCH = 100  # the first batch; each next one is twice as large, up to WALK_BATCH_MAX
WALK_BATCH_MAX = 2_000
WALK_MAX = 20_000


def _walk_fits(scope: Scope, filters: Filters) -> bool:
    """Long ranges, whole organization, with or without a network filter (all-time sums
    are kept per network too). A campaign or a team filter reads few rows: plain
    aggregation."""
    narrow = filters.campaign_id is not None or filters.team_id is not None
    return not scope.own and not narrow and filters.days >= WALK_MIN_DAYS


def _top_members(
    scope: Scope, filters: Filters, order: str, limit: int
) -> list[dict[str, Any]] | None:
    """The exact top `limit` ambassadors of the range, without summing everyone's range.

    Ambassadors are walked by their all-time figure, highest first (an index of
    MemberTotal), and their range is summed exactly, a batch at a time. No cell is ever
    negative, so an ambassador's all-time figure bounds their figure in any range: once the
    next ambassador's all-time figure is below the current 50th, nobody further can enter
    (same order as the plain aggregation: figure descending, then id). None when the walk
    would be too long: the caller aggregates instead."""
    order_col = _order_column(order)
    _, in_range = _rows(scope, filters, group="membership_id")
    by_bound = (
        scoped(MemberTotal, scope.organization_id)
        .filter(network=filters.network or "")
        .order_by(f"-{order_col}", "membership_id")
        .values_list("membership_id", order_col)
    )
    best: list[tuple[int, int, dict[str, Any]]] = []
    offset, size = 0, max(WALK_BATCH, 1)
    while True:
        if offset >= WALK_MAX:
            return None
        batch = list(by_bound[offset : offset + size])
        if not batch:
            break
        if len(best) >= limit and batch[0][1] < best[limit - 1][0]:
            break
        sums = (
            in_range.filter(membership_id__in=[m for m, _bound in batch])
            .values("membership_id")
            .annotate(**SUMS)
        )
        best.extend((int(row[order_col] or 0), row["membership_id"], row) for row in sums)
        best.sort(key=lambda entry: (-entry[0], entry[1]))
        del best[limit:]
        offset += size
        size = min(size * 2, max(WALK_BATCH_MAX, WALK_BATCH))
    return [row for _value, _member, row in best]


def _team_rows(
    scope: Scope, filters: Filters, order: str, limit: int | None
) -> list[dict[str, Any]]:
    """Sums per team when no team rollup fits (an ambassador's own view, or a campaign or
    network filter): per-ambassador sums joined to their current teams (an ambassador in
    two teams counts in both, as in the team rollup)."""
    _column, per_member = _grouped(scope, filters, "ambassador", order)
    inner_sql, params = per_member.order_by().query.sql_with_params()
    qn = connection.ops.quote_name
    through = Membership.teams.through._meta.db_table
    order_col = _order_column(order)
    sums = ", ".join(f"SUM(m.{qn(c)}) AS {qn(c)}" for c in MEASURES)
    sql = (
        f"SELECT t.{qn('team_id')} AS team_id, {sums} FROM ({inner_sql}) AS m "  # noqa: S608
        f"JOIN {qn(through)} AS t ON t.{qn('membership_id')} = m.{qn('membership_id')} "
        f"GROUP BY t.{qn('team_id')} "
        f"ORDER BY {qn(order_col)} DESC, t.{qn('team_id')}"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [col[0] for col in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _labels(scope: Scope, dimension: Dimension, keys: Sequence[Any]) -> dict[Any, str]:
    org = scope.organization_id
    ids = [k for k in keys if k]
    if dimension == "network":
        return {k: Network.LABELS.get(k, k) for k in keys}
    if not ids:
        return {}
    if dimension == "item":
        return dict(scoped(ContentItem, org).filter(pk__in=ids).values_list("pk", "title"))
    if dimension == "campaign":
        return dict(scoped(Campaign, org).filter(pk__in=ids).values_list("pk", "name"))
    if dimension == "team":
        return dict(scoped(Team, org).filter(pk__in=ids).values_list("pk", "name"))
    people = (
        scoped(Membership, org)
        .filter(pk__in=ids)
        .values_list("pk", "user__full_name", "user__email")
    )
    return {pk: name or email for pk, name, email in people}


def _to_rows(
    scope: Scope, filters: Filters, dimension: Dimension, raw: list[dict[str, Any]]
) -> list[Row]:
    column = DIMENSION_COLUMN[dimension]
    keys = [r[column] for r in raw]
    labels = _labels(scope, dimension, keys)
    rows = []
    for r in raw:
        key = r[column]
        na = unmeasured(key if dimension == "network" else filters.network)
        figures = Figures.from_sums(r, unmeasured_network=na)
        if dimension == "campaign" and not key:
            rows.append(Row("", "", figures))  # the view names "no campaign"
            continue
        rows.append(Row(str(key), labels.get(key, f"#{key}"), figures))
    return rows


def breakdown(
    *,
    membership: Membership,
    filters: Filters,
    dimension: Dimension,
    order: str = "clicks",
    limit: int | None = TOP,
    own: bool = False,
) -> Breakdown:
    """The top `limit` rows of `dimension`, sorted by `order` (descending). Rows of
    deleted items, campaigns, teams or people keep their figures, labelled by their id."""
    if dimension not in DIMENSIONS:
        raise NotFound("No such table.")
    scope = scope_of(membership, own=own)
    order = order if order in ORDERS else "clicks"
    if dimension == "team" and _table(scope, filters, "team_id") is None:
        raw = _team_rows(scope, filters, order, limit)
    elif limit is not None and dimension in TWO_PHASE:
        found = None
        if dimension == "ambassador" and _walk_fits(scope, filters):
            found = _top_members(scope, filters, order, limit)
        raw = found if found is not None else _top(scope, filters, dimension, order, limit)
    else:
        _column, grouped = _grouped(scope, filters, dimension, order)
        raw = list(grouped[:limit] if limit is not None else grouped)
    return Breakdown(dimension, order, _to_rows(scope, filters, dimension, raw), limit)


def breakdown_iter(
    *,
    membership: Membership,
    filters: Filters,
    dimension: Dimension,
    order: str = "clicks",
    own: bool = False,
) -> Iterator[Row]:
    """Every row of a breakdown, for the CSV export: read in chunks, labelled per chunk."""
    if dimension not in DIMENSIONS:
        raise NotFound("No such table.")
    scope = scope_of(membership, own=own)
    if dimension == "team" and _table(scope, filters, "team_id") is None:
        yield from _to_rows(scope, filters, dimension, _team_rows(scope, filters, order, None))
        return
    _column, grouped = _grouped(scope, filters, dimension, order)
    chunk: list[dict[str, Any]] = []
    for row in grouped.iterator(chunk_size=2000):
        chunk.append(row)
        if len(chunk) == 2000:
            yield from _to_rows(scope, filters, dimension, chunk)
            chunk = []
    if chunk:
        yield from _to_rows(scope, filters, dimension, chunk)
