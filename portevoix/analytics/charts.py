"""Geometry of the server-rendered SVG chart (bars for one figure, a line for shares).
Pure functions, no ORM; the template only draws what is computed here."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats

from .selectors import Point, Unit

WIDTH = 720
HEIGHT = 240
PAD_LEFT = 56
PAD_RIGHT = 12
PAD_TOP = 12
PAD_BOTTOM = 28
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    line: str  # SVG points of the shares line ("" when there is none)
    ticks: list[Tick]
    x_labels: list[XLabel]
    baseline: float
    left: int
    right: int
    maximum: int


def nice_max(value: int) -> int:
    """A round number at least `value`: 1, 2, 5 x 10^n."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return int(10 * magnitude)


def bucket_label(start: dt.date, unit: Unit) -> str:
    if unit == "month":
        return formats.date_format(start, "YEAR_MONTH_FORMAT")
    return formats.date_format(start, "SHORT_DATE_FORMAT")


def build(points: Sequence[Point], unit: Unit, metric: str, *, line: bool = True) -> Chart:
    """Bars of `metric` per period, with the shares as a line (unless `line` is False or
    the bars are the shares)."""
    values = [int(getattr(p.figures, metric)) for p in points]
    shares = [p.figures.shares for p in points] if line else [0] * len(points)
    # Four equal steps of a round size, so that every tick is a whole number.
    step = nice_max(math.ceil(max([*values, *shares, 0]) / 4))
    top = step * 4
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    n = max(1, len(points))
    slot = plot_w / n
    gap = min(4.0, slot * 0.2)
    baseline = PAD_TOP + plot_h
    bars = []
    points_line = []
    for i, (point, value) in enumerate(zip(points, values, strict=True)):
        h = plot_h * value / top
        x = PAD_LEFT + i * slot
        bars.append(
            Bar(
                x=round(x + gap / 2, 1),
                y=round(baseline - h, 1),
                width=round(max(1.0, slot - gap), 1),
                height=round(h, 1),
                label=bucket_label(point.start, unit),
                value=value,
            )
        )
        points_line.append(f"{x + slot / 2:.1f},{baseline - plot_h * shares[i] / top:.1f}")
    ticks = [
        Tick(
            y=round(baseline - plot_h * k / 4, 1),
            label=formats.number_format(step * k, 0, force_grouping=True),
        )
        for k in range(5)
    ]
    every = max(1, math.ceil(n / MAX_X_LABELS))
    x_labels = [
        XLabel(x=round(PAD_LEFT + i * slot + slot / 2, 1), label=bars[i].label)
        for i in range(0, len(bars), every)
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        line=" ".join(points_line) if line and metric != "shares" else "",
        ticks=ticks,
        x_labels=x_labels,
        baseline=baseline,
        left=PAD_LEFT,
        right=WIDTH - PAD_RIGHT,
        maximum=top,
    )
