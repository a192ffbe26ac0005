"""Raw events of sharing read by other apps in bulk: analytics' rollups
(`settings.ROLLUP_EVENT_SOURCES`; the columns are described in analytics/rollups/sources.py)
and recognition's challenges. Re-exported by `selectors`, the surface other apps import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, QuerySet

from portevoix.core.tenancy import scoped

from .models import Click, Conversion, Share, TrackedLink


def rollup_shares(
    *, organization_id: int, since: dt.datetime, until: dt.datetime, **_: Any
) -> QuerySet[Share]:
    """The organization's shares created in [since, until)."""
    qs = scoped(Share, organization_id).filter(created_at__gte=since, created_at__lt=until)
    return qs.annotate(
        ev_id=F("pk"),
        ev_at=F("created_at"),
        ev_item=F("item_id"),
        ev_member=F("membership_id"),
        ev_network=F("network"),
        ev_personalized=F("personalized"),
        ev_audience=F("audience"),
    )


def rollup_clicks(
    *, organization_id: int, start: dt.date, end: dt.date, **_: Any
) -> QuerySet[Click]:
    """The organization's clicks (counted or not) of the days [start, end]."""
    qs = scoped(Click, organization_id).filter(day__gte=start, day__lte=end)
    return qs.annotate(
        ev_day=F("day"),
        ev_item=F("item_id_copy"),
        ev_member=F("membership_id_copy"),
        ev_network=F("network"),
        ev_counted=F("counted"),
    )


def rollup_conversions(
    *, organization_id: int, since: dt.datetime, until: dt.datetime, **_: Any
) -> QuerySet[Conversion]:
    """The organization's conversions attributed to a link, at [since, until)."""
    qs = scoped(Conversion, organization_id).filter(link__isnull=False, at__gte=since, at__lt=until)
    return qs.annotate(
        ev_at=F("at"),
        ev_item=F("link__item_id"),
        ev_member=F("link__membership_id"),
        ev_network=F("link__network"),
        ev_value=F("value"),
    )


def campaign_of_event(*, organization_id: int, source_type: str, source_id: int) -> int | None:
    """The campaign of a share's or a tracked link's item, or None (recognition's challenges)."""
    model: Any = {"share": Share, "link": TrackedLink}.get(source_type)
    rows = scoped(model, organization_id).filter(pk=source_id) if model else None
    return rows.values_list("item__campaign_id", flat=True).first() if rows is not None else None
