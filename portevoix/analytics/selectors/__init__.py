"""Reads of the dashboards: totals, breakdowns and time series, from the rollups only.

Every selector takes the acting membership and a `Filters` (date range, inclusive, plus
optional campaign, team and network), and authorizes itself: `analytics.view_org` sees the
whole organization; `analytics.view_own` (an ambassador) sees only their own figures,
whatever they ask for. Raw shares, clicks and conversions are never read here.

Which rollup table answers: the smallest one that has every dimension the question needs
(see `models.py`); a range is read as its whole months (month rows) plus the days at its
edges (day rows), unless the question needs days or weeks.

The package: `figures` (what is measured), `scope` (who sees what, checked filters),
`tables` (which rollup table answers), `series` (totals, time series), `breakdowns` and
`comparison` (a period against the previous one; the ranking visibility choices).
"""

from .breakdowns import (
    TWO_PHASE,
    WALK_BATCH,
    WALK_BATCH_MAX,
    WALK_MAX,
    WALK_MIN_DAYS,
    Breakdown,
    Row,
    breakdown,
    breakdown_iter,
)
from .comparison import (
    MAIN_FIGURES,
    Change,
    Comparison,
    appearance,
    comparison,
    hidden_ambassadors,
    period_comparison,
    previous_period,
)
from .figures import (
    DIMENSION_COLUMN,
    DIMENSIONS,
    ENGAGEMENT_FIGURES,
    ENGAGEMENT_UNAVAILABLE,
    MAX_RANGE_DAYS,
    ORDERS,
    SUMS,
    TOP,
    UNITS,
    Dimension,
    Figures,
    Unit,
    unmeasured,
)
from .library import ItemFigures, item_figures
from .scope import (
    Filters,
    FiltersRefused,
    Scope,
    can_view,
    filters_as_asked,
    filters_for,
    scope_of,
)
from .series import Point, bucket_start, buckets, timeseries, totals
from .tables import FINE_TABLE, TABLES, Table

__all__ = [
    "DIMENSIONS",
    "DIMENSION_COLUMN",
    "ENGAGEMENT_FIGURES",
    "ENGAGEMENT_UNAVAILABLE",
    "FINE_TABLE",
    "MAIN_FIGURES",
    "MAX_RANGE_DAYS",
    "ORDERS",
    "SUMS",
    "TABLES",
    "TOP",
    "TWO_PHASE",
    "UNITS",
    "WALK_BATCH",
    "WALK_BATCH_MAX",
    "WALK_MAX",
    "WALK_MIN_DAYS",
    "Breakdown",
    "Change",
    "Comparison",
    "Dimension",
    "Figures",
    "Filters",
    "FiltersRefused",
    "ItemFigures",
    "Point",
    "Row",
    "Scope",
    "Table",
    "Unit",
    "appearance",
    "breakdown",
    "breakdown_iter",
    "bucket_start",
    "buckets",
    "can_view",
    "comparison",
    "filters_as_asked",
    "filters_for",
    "hidden_ambassadors",
    "item_figures",
    "period_comparison",
    "previous_period",
    "scope_of",
    "timeseries",
    "totals",
    "unmeasured",
]
