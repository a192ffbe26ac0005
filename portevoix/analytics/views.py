"""Web pages of the dashboards: the team's dashboard, "my figures", and the CSV and XLSX
exports of every table and chart (`exports.py`).

Views parse the filters, call the selectors (which authorize and read the rollups only),
and render. Another organization's campaign or team in the filters is a 404.

Engagement figures (connected accounts only) of a network that gives none to apps like
ours (LinkedIn) are "not available from LinkedIn": an em dash with that title on the
pages, that text in the CSV exports, never a 0.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from portevoix.accounts import frame
from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import can
from portevoix.content import selectors as content_selectors
from portevoix.core import page_cache, spreadsheet
from portevoix.core.errors import PermissionDenied
from portevoix.core.networks import NETWORK_CHOICES
from portevoix.core.web import member_view

from . import charts, exports, selectors
from .forms import ORDER_CHOICES, PRESETS, UNIT_CHOICES, auto_unit, parse
from .selectors import Breakdown, Filters
from .selectors import goals as goal_selectors
from .selectors import kpis as kpi_selectors

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# The goals above the figures: running ones, or ended at most a week ago; three at most.
GOALS_SHOWN = 3
GOALS_GRACE_DAYS = 7
TABLE_TITLES = exports.TABLE_TITLES
KEY_TITLES = exports.KEY_TITLES
ORG_TABLES: tuple[selectors.Dimension, ...] = selectors.DIMENSIONS
OWN_TABLES: tuple[selectors.Dimension, ...] = ("item", "campaign", "network")
CHART_METRICS = (
    "clicks",
    "shares",
    "potential_reach",
    "conversions",
    "engagements",
    "impressions",
)
# The small charts of the main series, side by side under the figures.
MAIN_SERIES = ("shares", "clicks", "conversions")
# Columns a table can be sorted by with `?sort=` (descending); anything else is ignored.
SORTABLE = (
    "shares",
    "original_posts",
    "potential_reach",
    "clicks",
    "conversions",
    "conversion_value",
    "engagements",
    "impressions",
)
TOP_HIGHLIGHTS = 5

ENGAGEMENT_METRICS = ("engagements", "impressions")
ENGAGEMENT_KPIS = [
    ("engagements", gettext_lazy("Engagements")),
    ("impressions", gettext_lazy("Impressions")),
    ("engagement_rate", gettext_lazy("Engagement rate")),
]


@dataclass
class Query:
    """The parsed filters of a request, checked against the membership's organization."""

    filters: Filters
    unit: selectors.Unit
    order: str
    preset: str
    metric: str


def _query(request: HttpRequest, membership: Membership) -> tuple[Any, Query]:
    form, params = parse(request.GET)
    filters = selectors.filters_for(
        membership,
        start=params["start"],
        end=params["end"],
        campaign_id=params["campaign_id"],
        team_id=params["team_id"],
        network=params["network"],
    )
    unit = params["unit"] or auto_unit(filters)
    metric = request.GET.get("metric", "clicks")
    if metric not in CHART_METRICS:
        metric = "clicks"
    order = params["order"]
    sort = request.GET.get("sort", "")
    if sort in SORTABLE:  # the tables' column headers; an unknown column is ignored
        order = sort
    return form, Query(filters, unit, order, params["range"], metric)


def _sort_links(request: HttpRequest) -> dict[str, str]:
    """The query string of each sortable column header: the page's filters, that sort."""
    links = {}
    for column in SORTABLE:
        query = request.GET.copy()
        query.pop("order", None)
        query["sort"] = column
        links[column] = "?" + query.urlencode()
    return links


@dataclass
class Table:
    dimension: str
    title: str
    key_title: str
    breakdown: Breakdown
    export_url: str
    xlsx_url: str


def _tables(
    membership: Membership, q: Query, dimensions: tuple[selectors.Dimension, ...], own: bool
) -> list[Table]:
    from django.urls import reverse

    name = "analytics:me_export" if own else "analytics:export"
    return [
        Table(
            dimension=d,
            title=str(TABLE_TITLES[d]),
            key_title=str(KEY_TITLES[d]),
            breakdown=selectors.breakdown(
                membership=membership, filters=q.filters, dimension=d, order=q.order, own=own
            ),
            export_url=reverse(name, args=[d]),
            xlsx_url=reverse(f"{name}_xlsx", args=[d]),
        )
        for d in dimensions
    ]


def _highlights(
    membership: Membership, tables: list[Table], own: bool
) -> tuple[list[selectors.Row], list[selectors.Row]]:
    """The top content and the top ambassadors, read from the tables already on the page.
    Ambassadors who chose not to appear are left out of the top (the table already shows
    them as "an ambassador who chose not to be named"; their figures count in every total);
    the others appear by name or pseudonym, as they chose."""
    by_dimension = {t.dimension: t for t in tables}
    items = by_dimension["item"].breakdown.rows[:TOP_HIGHLIGHTS] if "item" in by_dimension else []
    people: list[selectors.Row] = []
    if not own and "ambassador" in by_dimension:
        shown = (row for row in by_dimension["ambassador"].breakdown.rows if not row.hidden)
        people = list(itertools.islice(shown, TOP_HIGHLIGHTS))
    return items, people


def _page(request: HttpRequest, membership: Membership, *, own: bool) -> HttpResponse:
    def context() -> dict[str, Any]:
        form, q = _query(request, membership)
        compared = selectors.comparison(membership=membership, filters=q.filters, own=own)
        totals = compared.current
        points = selectors.timeseries(
            membership=membership, filters=q.filters, unit=q.unit, own=own
        )
        tables = _tables(membership, q, OWN_TABLES if own else ORG_TABLES, own)
        top_items, top_people = _highlights(membership, tables, own)
        labels = dict(ORDER_CHOICES)
        today = goal_selectors.today()
        running = goal_selectors.goals(
            membership=membership,
            on=today,
            ending_after=today - dt.timedelta(days=GOALS_GRACE_DAYS),
            limit=GOALS_SHOWN,
        )
        context = {
            "own": own,
            "goals": running,
            "kpis": None
            if own
            else kpi_selectors.kpis(membership=membership, filters=q.filters, figures=totals),
            "can_set_kpis": can(membership, "analytics.settings"),
            "form": form,
            "filters": q.filters,
            "unit": q.unit,
            "order": q.order,
            "preset": q.preset,
            "metric": q.metric,
            "metric_label": dict(ORDER_CHOICES).get(q.metric, q.metric),
            "presets": PRESETS,
            "units": UNIT_CHOICES[1:],
            "orders": [(code, label) for code, label in ORDER_CHOICES if code in SORTABLE],
            "metrics": [(m, labels[m]) for m in CHART_METRICS],
            "engagement_metrics": ENGAGEMENT_METRICS,
            "engagement_kpis": ENGAGEMENT_KPIS,
            "totals": totals,
            "comparison": compared,
            "changes": compared.changes,
            "top_items": top_items,
            "top_people": top_people,
            "sort_links": _sort_links(request),
            "order_label": labels.get(q.order, q.order),
            "appearance": selectors.appearance(membership=membership) if own else None,
            "points": points,
            "chart": charts.build(points, q.unit, q.metric),
            "small_charts": [
                (m, labels[m], charts.build(points, q.unit, m, line=False)) for m in MAIN_SERIES
            ],
            "tables": tables,
            "networks": NETWORK_CHOICES,
            "campaigns": list(content_selectors.campaigns(membership=membership)),
            "teams": [] if own else list(account_selectors.teams(membership=membership)),
            "can_view_org": selectors.can_view(membership) and not own,
            "export_name": "analytics:me_export" if own else "analytics:export",
        }
        return context

    if own:
        return render(request, "analytics/me.html", context())
    # The organization's figures (`analytics.view_org`): shared by the members with the
    # same roles; goals, KPI settings and visibility choices move the organization's
    # version; the figures are at most PAGE_CACHE_SECONDS late
    # (docs/decisions/0036-page-body-cache.md).
    key = frame.body_key(request, membership, "analytics")
    return page_cache.render_page(request, "analytics/dashboard.html", key=key, context=context)


@member_view
def dashboard(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The organization's (or team's) dashboard; an ambassador is sent to their own."""
    if selectors.scope_of(membership).own:  # PermissionDenied (403) when neither
        return redirect("analytics:me")
    return _page(request, membership, own=False)


@member_view
def me(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The ambassador's own figures."""
    return _page(request, membership, own=True)


# --- CSV and XLSX of every table and chart


def _export(
    request: HttpRequest, membership: Membership, table: str, fmt: str, *, own: bool
) -> HttpResponseBase:
    if table not in (exports.OWN_EXPORTS if own else exports.ORG_EXPORTS):
        raise Http404("No such table.")
    selectors.scope_of(membership, own=own)  # authorize before streaming anything
    if not own and selectors.scope_of(membership).own:
        raise PermissionDenied("Not allowed: analytics.view_org")
    _form, q = _query(request, membership)
    found = exports.sheet(membership, exports.Request(q.filters, q.unit, q.order, own), table)
    name = f"portevoix-{'my-' if own else ''}{table}-{q.filters.start}-{q.filters.end}.{fmt}"
    response: HttpResponseBase
    if fmt == "xlsx":
        response = HttpResponse(spreadsheet.xlsx_bytes([found]), content_type=XLSX_TYPE)
    else:
        # Read before the response starts, so that errors are answered, not streamed.
        writer = csv.writer(_Echo())
        rows = iter(found.rows)
        first = next(rows, None)
        lines = itertools.chain(
            [[str(h) for h in found.headers]], [] if first is None else [first], rows
        )
        response = StreamingHttpResponse(
            (writer.writerow(spreadsheet.row_safe(r)) for r in lines),
            content_type="text/csv; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@member_view
def export(request: HttpRequest, membership: Membership, table: str) -> HttpResponseBase:
    return _export(request, membership, table, "csv", own=False)


@member_view
def export_xlsx(request: HttpRequest, membership: Membership, table: str) -> HttpResponseBase:
    return _export(request, membership, table, "xlsx", own=False)


@member_view
def me_export(request: HttpRequest, membership: Membership, table: str) -> HttpResponseBase:
    return _export(request, membership, table, "csv", own=True)


@member_view
def me_export_xlsx(request: HttpRequest, membership: Membership, table: str) -> HttpResponseBase:
    return _export(request, membership, table, "xlsx", own=True)
