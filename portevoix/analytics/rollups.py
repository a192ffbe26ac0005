"""Incremental rollups: the only way figures reach the dashboards.

OWNED BY THE ANALYTICS WORK (issue 3). `rollup_add` is the contract the sharing app calls
(on a share, a counted click, a conversion), inside the same transaction as the raw event,
so the rollups always equal a recount of the raw events. The analytics work implements it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def rollup_add(
    *,
    organization_id: int,
    day: dt.date,
    item_id: int,
    campaign_id: int | None,
    membership_id: int,
    network: str,
    shares: int = 0,
    original_posts: int = 0,
    potential_reach: int = 0,
    clicks: int = 0,
    unique_visitors: int = 0,
    conversions: int = 0,
    conversion_value: Decimal = Decimal(0),
) -> None:
    """Add these deltas to the daily rollup cell (org, day, item, campaign, ambassador,
    network), creating it if needed. Concurrency-safe (one upsert statement)."""
    return None
