"""Rebuild: recompute every rollup cell of a date range from the raw events, set-based
(INSERT ... SELECT ... GROUP BY), in one transaction."""

from __future__ import annotations

import datetime as dt
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
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round, TruncDate, TruncMonth
from django.utils import timezone

from portevoix.accounts import selectors as account_selectors
from portevoix.content import selectors as content_selectors
from portevoix.core.tenancy import scoped

from ..models import (
    GRAIN_DAY,
    GRAIN_MONTH,
    MEASURES,
    DailyRollup,
    MemberRollup,
    MemberTotal,
)
from .cells import (
    COARSE,
    FINE,
    MEMBER,
    TEAM,
    TOTAL,
    TableSpec,
    _local_bounds,
    _month_end,
    month_start,
)
from .sources import Span, raw_events


def _compile(qs: Any) -> tuple[str, tuple[Any, ...]]:
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def _fine_sources(organization_id: int, start: dt.date, end: dt.date) -> list[Any]:
    """One ungrouped query per kind of raw event, each selecting, in this order: day,
    item_id, membership_id, network, then every measure of MEASURES."""
    tz = timezone.get_current_timezone()
    since, until = _local_bounds(start, end)
    span = Span(organization_id, start, end, since, until)

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

    cell = ("ev_item", "ev_member", "ev_network")
    shares = shaped(
        raw_events("shares", span),
        TruncDate("ev_at", tzinfo=tz),
        *cell,
        shares=const(1),
        original_posts=Case(When(ev_personalized=True, then=const(1)), default=const(0)),
        potential_reach=Cast("ev_audience", BigIntegerField()),
    )
    clicks = shaped(
        raw_events("clicks", span).filter(ev_counted=True),
        F("ev_day"),
        *cell,
        clicks=const(1),
        unique_visitors=const(1),
    )
    conversions = shaped(
        raw_events("conversions", span),
        TruncDate("ev_at", tzinfo=tz),
        *cell,
        conversions=const(1),
        conversion_value_cents=Cast(Round(F("ev_value") * 100), BigIntegerField()),
    )
    # The latest snapshot of each connected post (latest `at`, then highest id), in the
    # cell of the post's share.

    def figure(name: str) -> Any:
        return Coalesce(Cast(name, BigIntegerField()), const(0))

    engaged = ExpressionWrapper(
        figure("ev_likes") + figure("ev_replies") + figure("ev_reposts") + figure("ev_quotes"),
        output_field=BigIntegerField(),
    )
    snapshots = shaped(
        raw_events("engagement", span, latest_only=True),
        TruncDate("ev_at", tzinfo=tz),
        *cell,
        engagements=engaged,
        impressions=figure("ev_impressions"),
        impression_engagements=Case(
            When(ev_impressions__isnull=False, then=engaged),
            default=const(0),
            output_field=BigIntegerField(),
        ),
    )
    return [shares, clicks, conversions, snapshots]


def rollups_rebuild(*, organization_id: int, start: dt.date, end: dt.date) -> int:
    """Recompute every rollup cell of `organization_id` for the days [start, end] (and the
    month rows of the months they touch) from the raw events, in one transaction. Returns
    the number of fine cells written. Set-based SQL: INSERT ... SELECT ... GROUP BY."""
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
    # The campaign of each item (content's), joined by id.
    items_sql, items_params = _compile(
        content_selectors.item_campaigns(organization_id=organization_id)
    )
    insert_fine = (
        f"INSERT INTO {qn(FINE.table)} ({', '.join(qn(c) for c in fine_columns)}) "  # noqa: S608 - quoted identifiers; values are parameters
        f"SELECT %s, g.day, g.item_id, i.{qn('campaign_id')}, g.membership_id, g.network, "
        + ", ".join(f"g.{qn(m)}" for m in MEASURES)
        + f" FROM ({grouped}) AS g LEFT JOIN ({items_sql}) AS i ON i.{qn('id')} = g.item_id"
    )
    months = (month_start(start), month_start(end))
    with transaction.atomic(), connection.cursor() as cursor:
        scoped(DailyRollup, organization_id).filter(day__gte=start, day__lte=end).delete()
        cursor.execute(insert_fine, [organization_id, *params, *items_params])
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
    qn = connection.ops.quote_name
    links, links_params = _compile(account_selectors.team_links())
    columns = ("organization_id", "grain", "period", "team_id", "network", *MEASURES)
    sums = ", ".join(f"SUM(g.{qn('s_' + c)})" for c in MEASURES)
    spans = ((GRAIN_DAY, (start, end)), (GRAIN_MONTH, (month_start(start), _month_end(end))))
    for grain, span in spans:
        inner, params = _compile(_coarse_select(_PER_MEMBER, organization_id, grain, span))
        cursor.execute(
            f"INSERT INTO {qn(TEAM.table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608
            f"SELECT g.{qn('g_org')}, g.{qn('g_grain')}, g.{qn('g_period')}, "
            f"t.{qn('team_id')}, g.{qn('g_network')}, {sums} FROM ({inner}) AS g "
            f"JOIN ({links}) AS t ON t.{qn('membership_id')} = g.{qn('g_membership_id')} "
            f"GROUP BY g.{qn('g_org')}, g.{qn('g_grain')}, g.{qn('g_period')}, "
            f"t.{qn('team_id')}, g.{qn('g_network')}",
            (*params, *links_params),
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
