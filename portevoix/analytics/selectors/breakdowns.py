"""Breakdowns: the top rows of a dimension, and every row for the CSV exports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy

from portevoix.accounts import selectors as account_selectors
from portevoix.content import selectors as content_selectors
from portevoix.core.errors import NotFound
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped

from ..models import (
    MEASURES,
    MemberTotal,
)
from .figures import DIMENSION_COLUMN, DIMENSIONS, ORDERS, SUMS, TOP, Dimension, Figures, unmeasured
from .scope import Filters, Scope, scope_of
from .tables import _rows, _table

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@dataclass(frozen=True)
class Row:
    key: str  # the id, or the network code ("" for "no campaign" and a hidden ambassador)
    label: str
    figures: Figures
    # An ambassador who chose not to appear: no name, no id (their figures still count).
    hidden: bool = False


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
    inner_sql, inner_params = per_member.order_by().query.sql_with_params()
    links_sql, links_params = account_selectors.team_links().query.sql_with_params()
    params = (*inner_params, *links_params)
    qn = connection.ops.quote_name
    order_col = _order_column(order)
    sums = ", ".join(f"SUM(m.{qn(c)}) AS {qn(c)}" for c in MEASURES)
    sql = (
        f"SELECT t.{qn('team_id')} AS team_id, {sums} FROM ({inner_sql}) AS m "  # noqa: S608
        f"JOIN ({links_sql}) AS t ON t.{qn('membership_id')} = m.{qn('membership_id')} "
        f"GROUP BY t.{qn('team_id')} "
        f"ORDER BY {qn(order_col)} DESC, t.{qn('team_id')}"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [col[0] for col in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


HIDDEN_NAME = gettext_lazy("An ambassador who chose not to be named")


def _labels(scope: Scope, dimension: Dimension, keys: Sequence[Any]) -> dict[Any, str]:
    org = scope.organization_id
    ids = [k for k in keys if k]
    if dimension == "network":
        return {k: Network.LABELS.get(k, k) for k in keys}
    if not ids:
        return {}
    if dimension == "item":
        return content_selectors.item_titles(organization_id=org, item_ids=ids)
    if dimension == "campaign":
        return content_selectors.campaign_names(organization_id=org, campaign_ids=ids)
    if dimension == "team":
        return account_selectors.team_names(organization_id=org, team_ids=ids)
    if scope.own:  # one's own figures name oneself
        return account_selectors.member_names(organization_id=org, membership_ids=ids)
    # Others: by name or pseudonym as each chose; "" for who chose not to appear.
    shown = account_selectors.public_names(organization_id=org, membership_ids=ids)
    return {pk: person.name for pk, person in shown.items()}


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
        if dimension == "ambassador" and key and labels.get(key) == "":
            rows.append(Row("", str(HIDDEN_NAME), figures, hidden=True))
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
