"""Content for the emails to ambassadors (notifications' digests): the live items that
reached ambassadors since a moment, with their copies, in two queries for a whole batch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.db.models.functions import Coalesce

from portevoix.core import clock
from portevoix.core.tenancy import scoped

from ..models import ContentItem, NetworkCopy
from . import live_q

MAX_MAIL_ITEMS = 200


def live_items_since(
    *,
    organization_id: int,
    since: dt.datetime,
    now: dt.datetime | None = None,
    item_ids: list[int] | None = None,
) -> list[Any]:
    """Live items of the organization that reached ambassadors after `since` (annotated
    `live_since`; only `item_ids` when given), important first, then newest; their copies
    by network and variant."""
    qs = (
        scoped(ContentItem, organization_id)
        .filter(live_q(now or clock.now()))
        .annotate(live_since=Coalesce("live_at", "publish_at", "created_at"))
        .filter(live_since__gt=since)
        .prefetch_related(
            Prefetch("copies", queryset=NetworkCopy.objects.order_by("network", "variant"))
        )
        .defer("body", "search_text")
        .order_by("-important", "-featured", "-priority", "-live_since", "-id")
    )
    if item_ids is not None:
        qs = qs.filter(pk__in=item_ids)
    return list(qs[:MAX_MAIL_ITEMS])
