"""A report (`selectors.reports.Report`) as a page's context, a PDF (WeasyPrint), the
tables of its XLSX and CSV, and the charts drawn by `charts.py`.

The PDF embeds the Inter font from `node_modules/@fontsource/inter/files` (installed by
`npm ci` with the project's lockfile) through `@font-face` with file:// URLs resolved from
`settings.BASE_DIR`; when the files are absent it falls back to the system's sans-serif
font (DejaVu Sans on Debian), and says so in the log once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portevoix.core.spreadsheet import Sheet

from . import charts, exports
from .selectors.reports import KIND_LABELS, KIND_PURPOSES, Report

logger = logging.getLogger(__name__)

FONT_DIR = Path("node_modules") / "@fontsource" / "inter" / "files"
FONT_WEIGHTS = (400, 600, 700)
# fontsource's subsets: latin, and latin-ext for the rest of French (œ) and names.
FONT_SUBSETS = (
    ("latin", "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+2000-206F"),
    ("latin-ext", "U+0100-02AF, U+0304, U+0308, U+0329, U+1E00-1E9F, U+1EF2-1EFF, U+2020"),
)
FALLBACK = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"

# The report's tables, by code, as its XLSX sheets and its CSV files (`?table=`).
TABLES = {
    "figures": gettext_lazy("Figures and changes"),
    "kpis": gettext_lazy("KPIs"),
    "goals": gettext_lazy("Goals"),
    "top_content": gettext_lazy("Top content"),
    "top_ambassadors": gettext_lazy("Top ambassadors"),
    "networks": gettext_lazy("By network"),
    "days": gettext_lazy("Day by day"),
    "trend": gettext_lazy("Trend"),
    "ready_posts": gettext_lazy("Posts ready to copy"),
}


def font_dir() -> Path:
    return Path(settings.BASE_DIR) / FONT_DIR


@cache
def font_face_css() -> str:
    """`@font-face` rules for Inter (file:// URLs), or "" when the files are absent."""
    rules = []
    for weight in FONT_WEIGHTS:
        for subset, unicode_range in FONT_SUBSETS:
            path = font_dir() / f"inter-{subset}-{weight}-normal.woff2"
            if not path.is_file():
                continue
            rules.append(
                "@font-face { font-family: 'Inter'; font-style: normal; "
                f"font-weight: {weight}; src: url('{path.resolve().as_uri()}') "
                f"format('woff2'); unicode-range: {unicode_range}; }}"
            )
    if not rules:
        logger.warning("report_font_missing", extra={"font_dir": str(font_dir())})
    return "\n".join(rules)


def font_family() -> str:
    return f"'Inter', {FALLBACK}" if font_face_css() else FALLBACK


@dataclass(frozen=True)
class Drawn:
    """A chart with what the template says about it."""

    title: str
    metric_label: str
    chart: charts.Chart


def _charts(report: Report) -> list[Drawn]:
    period = charts.build(report.days, "day", "clicks")
    trend = charts.build(report.trend, report.trend_unit, "clicks")
    trend_title = (
        _("Clicks per week, the last %(n)s weeks")
        if report.kind == "weekly"
        else _("Clicks per month, the last %(n)s months")
    ) % {"n": len(report.trend)}
    return [
        Drawn(_("Clicks and shares, day by day"), _("Clicks"), period),
        Drawn(trend_title, _("Clicks"), trend),
    ]


def context(report: Report) -> dict[str, Any]:
    """What the page, the PDF and the email show (the templates compute nothing)."""
    return {
        "report": report,
        "title": str(KIND_LABELS[report.kind]),
        "purpose": str(KIND_PURPOSES[report.kind]),
        "figure_rows": [
            (str(exports.CHANGE_LABELS[key]), change)
            for key, change in report.comparison.changes.items()
        ],
        "totals": report.comparison.current,
        "charts": _charts(report),
        "kpis": report.kpis,
        "goals": report.goals,
        "tables": TABLES,
    }


def pdf_bytes(report: Report) -> bytes:
    """The report as a PDF (in the active language)."""
    from weasyprint import HTML

    html = render_to_string(
        "analytics/report_pdf.html",
        {**context(report), "font_css": font_face_css(), "font_family": font_family()},
    )
    return bytes(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())


# --- Tables


def _ready_sheet(report: Report) -> Sheet:
    headers = [_("Item"), _("Suggested text"), _("Network"), _("Link")]
    rows = [[p.title, p.text, p.network, p.link] for p in report.ready_posts]
    return Sheet(str(TABLES["ready_posts"]), headers, rows)


def _series(code: str, points: list[Any]) -> Sheet:
    found = exports.series_sheet(points)
    return Sheet(str(TABLES[code]), found.headers, found.rows)


def sheet(report: Report, code: str) -> Sheet:
    if code == "figures":
        found = exports.totals_sheet(report.comparison)
        return Sheet(str(TABLES[code]), found.headers, found.rows)
    if code == "kpis":
        return exports.kpis_sheet(report.kpis)
    if code == "goals":
        return exports.goals_sheet(report.goals)
    if code == "top_content":
        return exports.rows_sheet(code, "item", report.top_items)
    if code == "top_ambassadors":
        return exports.rows_sheet(code, "ambassador", report.top_people)
    if code == "networks":
        return exports.rows_sheet("network", "network", report.networks)
    if code == "days":
        return _series(code, report.days)
    if code == "trend":
        return _series(code, report.trend)
    return _ready_sheet(report)


def coded_sheets(report: Report) -> list[tuple[str, Sheet]]:
    """(code, table) of every table of the report (no "ready to copy" when it has none)."""
    codes = [c for c in TABLES if c != "ready_posts" or report.ready_posts]
    return [(code, sheet(report, code)) for code in codes]


def sheets(report: Report) -> list[Sheet]:
    return [found for _code, found in coded_sheets(report)]


def file_name(report: Report, ext: str, table: str = "") -> str:
    suffix = f"-{table}" if table else ""
    return f"portevoix-{report.kind}-report-{report.period.start:%Y-%m-%d}{suffix}.{ext}"
