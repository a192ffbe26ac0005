"""Every table and chart of the dashboards as rows for CSV and XLSX (`core.spreadsheet`
writes them, formula cells neutralized).

A table is named by its code: the breakdowns (`item`, `campaign`, `team`, `ambassador`,
`network`), the chart's figures per period (`series`, also the small charts'), the
figures against the previous period (`totals`), the KPIs with their formulas (`kpis`,
EMV part by part included), the goals (`goals`), the top content (`top_content`) and the
top ambassadors (`top_ambassadors`, who chose not to appear left out). Each reads the
selectors the page reads; nothing is computed twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portevoix.core.spreadsheet import Sheet

from . import selectors
from .selectors import Figures, Filters
from .selectors import goals as goal_selectors
from .selectors import kpis as kpi_selectors

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

    from .selectors.breakdowns import Row
    from .selectors.comparison import Comparison
    from .selectors.goals import GoalProgress

TABLE_TITLES = {
    "item": gettext_lazy("By item"),
    "campaign": gettext_lazy("By campaign"),
    "team": gettext_lazy("By team"),
    "ambassador": gettext_lazy("By ambassador"),
    "network": gettext_lazy("By network"),
    "series": gettext_lazy("Figures per period"),
    "totals": gettext_lazy("Figures and changes"),
    "kpis": gettext_lazy("KPIs"),
    "goals": gettext_lazy("Goals"),
    "top_content": gettext_lazy("Top content"),
    "top_ambassadors": gettext_lazy("Top ambassadors"),
}
KEY_TITLES = {
    "item": gettext_lazy("Item"),
    "campaign": gettext_lazy("Campaign"),
    "team": gettext_lazy("Team"),
    "ambassador": gettext_lazy("Ambassador"),
    "network": gettext_lazy("Network"),
    "series": gettext_lazy("Period starting"),
}
# The tables of the team's dashboard and of "my figures", in page order.
ORG_EXPORTS = (
    "totals",
    "kpis",
    "goals",
    "top_content",
    "top_ambassadors",
    "series",
    *selectors.DIMENSIONS,
)
OWN_EXPORTS = ("totals", "goals", "top_content", "series", "item", "campaign", "network")
TOP_HIGHLIGHTS = 5

FIGURE_COLUMNS = [
    ("shares", gettext_lazy("Shares")),
    ("original_posts", gettext_lazy("Original posts")),
    ("potential_reach", gettext_lazy("Potential reach")),
    ("clicks", gettext_lazy("Clicks")),
    ("unique_visitors", gettext_lazy("Unique visitors")),
    ("click_through", gettext_lazy("Clicks per share (clicks ÷ shares)")),
    ("conversions", gettext_lazy("Conversions")),
    ("conversion_value", gettext_lazy("Conversion value")),
    # Connected accounts only; "not available from LinkedIn" where LinkedIn alone.
    ("engagements", gettext_lazy("Engagements (likes + replies + reposts + quotes)")),
    ("impressions", gettext_lazy("Impressions")),
    ("impression_engagements", gettext_lazy("Engagements on posts with impressions")),
    (
        "engagement_rate",
        gettext_lazy("Engagement rate (engagements on posts with impressions ÷ impressions)"),
    ),
]
CHANGE_LABELS = {
    "shares": gettext_lazy("Shares"),
    "original_posts": gettext_lazy("Original posts"),
    "potential_reach": gettext_lazy("Potential reach"),
    "clicks": gettext_lazy("Clicks"),
    "clicks_per_share": gettext_lazy("Clicks per share"),
    "conversions": gettext_lazy("Conversions"),
    "conversion_value": gettext_lazy("Conversion value"),
    "engagements": gettext_lazy("Engagements"),
    "impressions": gettext_lazy("Impressions"),
    "engagement_rate": gettext_lazy("Engagement rate (%)"),
}


@dataclass(frozen=True)
class Request:
    """What an export reads: the page's checked filters, unit and order."""

    filters: Filters
    unit: selectors.Unit = "day"
    order: str = "clicks"
    own: bool = False


def figure_cells(figures: Figures) -> list[Any]:
    values = figures.as_dict()
    cells = []
    for k, _label in FIGURE_COLUMNS:
        if k in selectors.ENGAGEMENT_FIGURES and not figures.engagement_available:
            cells.append(figures.unavailable_text)
        else:
            cells.append("" if values[k] is None else values[k])
    return cells


def figure_headers(first: list[str]) -> list[str]:
    return [*first, *(str(label) for _k, label in FIGURE_COLUMNS)]


def _value(value: Any) -> Any:
    return "" if value is None else value


def row_label(row: Row, dimension: str) -> str:
    return row.label or (_("No campaign") if dimension == "campaign" else f"#{row.key}")


# --- Sheets from what a page already has


def series_sheet(points: list[selectors.Point]) -> Sheet:
    rows = [[p.start.isoformat(), *figure_cells(p.figures)] for p in points]
    return Sheet(str(TABLE_TITLES["series"]), figure_headers([str(KEY_TITLES["series"])]), rows)


def totals_sheet(compared: Comparison) -> Sheet:
    headers = [
        _("Figure"),
        _("%(start)s to %(end)s") % {"start": compared.start, "end": compared.end},
        _("%(start)s to %(end)s")
        % {"start": compared.previous_start, "end": compared.previous_end},
        _("Change"),
        _("Change (%)"),
    ]
    rows = [
        [
            str(CHANGE_LABELS[key]),
            _value(change.current),
            _value(change.previous),
            _value(change.delta),
            _value(change.percent),
        ]
        for key, change in compared.changes.items()
    ]
    return Sheet(str(TABLE_TITLES["totals"]), headers, rows)


def kpis_sheet(kpis: kpi_selectors.Kpis) -> Sheet:
    headers = [_("KPI"), _("Value"), _("Unit"), _("Formula"), _("Basis"), _("Target")]
    rows: list[list[Any]] = [
        [k.label, _value(k.value), k.unit, k.formula, k.basis_text, _value(k.target)]
        for k in kpis.kpis
    ]
    for part in kpis.emv_parts:
        rows.append(
            [
                _("EMV part: %(part)s") % {"part": part.label},
                part.amount,
                kpis.currency,
                part.formula,
                _("estimate") if part.basis == kpi_selectors.ESTIMATED else _("measured"),
                "",
            ]
        )
    return Sheet(str(TABLE_TITLES["kpis"]), headers, rows)


def goals_sheet(goals: list[GoalProgress]) -> Sheet:
    headers = [
        _("Goal"),
        _("Figure"),
        _("Target"),
        _("Start"),
        _("Deadline"),
        _("So far"),
        _("Forecast at the deadline"),
        _("Status"),
    ]
    rows = [
        [
            row.goal.name,
            str(row.goal.get_metric_display()),
            row.goal.target,
            row.goal.start.isoformat(),
            row.goal.deadline.isoformat(),
            _value(row.value),
            _value(row.forecast),
            row.status_label,
        ]
        for row in goals
    ]
    return Sheet(str(TABLE_TITLES["goals"]), headers, rows)


def rows_sheet(code: str, dimension: str, rows: list[Row]) -> Sheet:
    """A top list or a breakdown's rows (a hidden ambassador has no id and no name)."""
    headers = figure_headers(["id", str(KEY_TITLES[dimension])])
    cells = [[row.key, row_label(row, dimension), *figure_cells(row.figures)] for row in rows]
    return Sheet(str(TABLE_TITLES[code]), headers, cells)


def top_rows(
    membership: Membership, request: Request, dimension: str, limit: int = TOP_HIGHLIGHTS
) -> list[Row]:
    """The first `limit` rows by the order; ambassadors who chose not to appear left out."""
    found = selectors.breakdown(
        membership=membership,
        filters=request.filters,
        dimension=dimension,  # type: ignore[arg-type]
        order=request.order,
        own=request.own,
    )
    rows = [row for row in found.rows if not row.hidden]
    return rows[:limit]


# --- Sheets read for an export request


def _breakdown_rows(
    membership: Membership, request: Request, dimension: str
) -> Iterator[list[Any]]:
    for row in selectors.breakdown_iter(
        membership=membership,
        filters=request.filters,
        dimension=dimension,  # type: ignore[arg-type]
        order=request.order,
        own=request.own,
    ):
        yield [row.key, row_label(row, dimension), *figure_cells(row.figures)]


def sheet(membership: Membership, request: Request, table: str) -> Sheet:
    """The rows of one table of the dashboard (the caller checked `table` is allowed)."""
    filters, own = request.filters, request.own
    if table == "series":
        points = selectors.timeseries(
            membership=membership, filters=filters, unit=request.unit, own=own
        )
        return series_sheet(points)
    if table == "totals":
        return totals_sheet(selectors.comparison(membership=membership, filters=filters, own=own))
    if table == "kpis":
        return kpis_sheet(kpi_selectors.kpis(membership=membership, filters=filters))
    if table == "goals":
        return goals_sheet(goal_selectors.goals(membership=membership))
    if table == "top_content":
        return rows_sheet(table, "item", top_rows(membership, request, "item"))
    if table == "top_ambassadors":
        return rows_sheet(table, "ambassador", top_rows(membership, request, "ambassador"))
    headers = figure_headers(["id", str(KEY_TITLES[table])])
    return Sheet(str(TABLE_TITLES[table]), headers, _breakdown_rows(membership, request, table))
