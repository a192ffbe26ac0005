"""The share of voice page's repeated pieces, built in Python (decision 0028): a 90-day
table has hundreds of cells, and one tag per row renders several times faster than the
same markup with a template variable per number. They only format what the selector
computed (`selectors_voice.Line`, `Cell`)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ..selectors_voice import Cell, Line

register = template.Library()

_DASH = mark_safe('<span class="muted">—</span>')  # a constant


@register.simple_tag
def sov_bar(line: Line) -> SafeString:
    """The shares as one stacked bar (SVG; hidden from screen readers, the cells say it)."""
    rects = format_html_join(
        "",
        '<rect class="sov-{}" x="{}" y="0" width="{}" height="10"><title>{}</title></rect>',
        ((s.index, str(s.x), str(s.width), s.label) for s in line.segments),
    )
    return format_html(
        '<svg class="sov-bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false">{}</svg>',
        rects,
    )


@register.simple_tag
def sov_cells(cells: Iterable[Cell], total: int | None = None) -> SafeString:
    """One cell per party (or tone): the share in percent, the count in brackets; then the
    total when given."""
    html = format_html_join(
        "",
        '<td class="num">{} <span class="muted">({})</span></td>',
        (
            (
                _DASH if c.share is None else format_html("{} %", localize(c.share)),
                localize(c.count),
            )
            for c in cells
        ),
    )
    if total is not None:
        html = format_html('{}<td class="num">{}</td>', html, localize(total))
    return html
