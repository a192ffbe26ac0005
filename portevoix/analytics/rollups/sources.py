"""Where the raw events of the rollups come from: the apps that record them say so.

Sharing and publishing import `analytics.rollups` to add their events to the cells;
analytics does not import them back (that would be a cycle). Each kind of raw event is read
through a selector of the app that owns it, listed by dotted path in
`settings.ROLLUP_EVENT_SOURCES` ({kind: path}). A source is called with keyword arguments
`organization_id`, `start` and `end` (the days asked), `since` and `until` (the local
bounds of those days, aware datetimes: [since, until)), and returns a queryset of the
organization's events, annotated with the columns its kind names below. Analytics reads
those columns only: how the events map to cells stays here (see the package docstring).

- "shares" (sharing): the shares created in [since, until): `ev_id`, `ev_at` (created),
  `ev_item`, `ev_member` (membership id), `ev_network`, `ev_personalized`, `ev_audience`.
- "clicks" (sharing): the clicks of the days [start, end], counted or not: `ev_day`,
  `ev_item`, `ev_member`, `ev_network`, `ev_counted`.
- "conversions" (sharing): the conversions attributed to a link, at [since, until):
  `ev_at`, `ev_item`, `ev_member`, `ev_network` (those of the link), `ev_value` (decimal).
- "engagement" (publishing): the engagement snapshots of connected posts whose share was
  created in [since, until); called with `latest_only=True`, only each post's latest one
  (latest `at`, then highest id). Columns: `ev_share` (share id), `ev_at` (the share's
  creation), `ev_item`, `ev_member`, `ev_network` (the share's), `ev_snapshot_at`,
  `ev_snapshot_id`, and the figures `ev_likes`, `ev_replies`, `ev_reposts`, `ev_quotes`,
  `ev_impressions` (None when the network does not give them).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.module_loading import import_string

KINDS = ("shares", "clicks", "conversions", "engagement")

EventSource = Callable[..., QuerySet[Any]]


@functools.cache
def _sources(paths: tuple[tuple[str, str], ...]) -> dict[str, EventSource]:
    found = {kind: import_string(path) for kind, path in paths}
    missing = [kind for kind in KINDS if kind not in found]
    if missing:
        raise ImproperlyConfigured(f"ROLLUP_EVENT_SOURCES names no source for {missing}")
    return found


@dataclass(frozen=True)
class Span:
    """An organization and a range of days, with the local bounds of those days."""

    organization_id: int
    start: dt.date
    end: dt.date
    since: dt.datetime
    until: dt.datetime


def raw_events(kind: str, span: Span, **options: Any) -> QuerySet[Any]:
    """The organization's raw events of `kind` for the range (see the module docstring)."""
    paths = tuple(sorted(dict(getattr(settings, "ROLLUP_EVENT_SOURCES", {})).items()))
    return _sources(paths)[kind](
        organization_id=span.organization_id,
        start=span.start,
        end=span.end,
        since=span.since,
        until=span.until,
        **options,
    )
