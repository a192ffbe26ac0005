"""Incremental rollups: the only way figures reach the dashboards.

`rollup_add` is the contract the sharing app calls (on a share, a counted click, a
conversion), inside the same transaction as the raw event, so the rollups always equal a
recount of the raw events. Each rollup table gets one upsert statement
(`INSERT ... ON CONFLICT (key) DO UPDATE SET x = x + excluded.x`), which both SQLite and
PostgreSQL run atomically: concurrent writers add up, none is lost.

`rollups_rebuild` recomputes the cells of a date range from the raw Share, Click,
Conversion and EngagementSnapshot rows (to repair, or after an item changed campaign);
`rollups_recount` says what the raw events say, without writing, so that tests can compare.

How raw events map to cells (docs/metrics.md, "Dashboards"):
- a share counts on the local day (settings.TIME_ZONE) of `Share.created_at`: shares +1,
  original_posts +1 when personalized, potential_reach + `Share.audience`;
- a click counts on `Click.day` when it is `counted` (the first click of that visitor on
  that link that day; repeat clicks are kept raw but not counted): clicks +1 and
  unique_visitors +1. A cell is one link on one day, so within a cell every counted click
  is a new visitor; summed over cells, unique visitors are "distinct visitors per link and
  day" (the visitor hash rotates daily, so no visitor is known across days);
- a conversion counts on the local day of `Conversion.at`, for the link it is attributed
  to (conversions without a link are not in any cell): conversions +1, value in cents;
- engagement counts in the cell of the share of a post published through a connected
  account (`Share.post`: the share is created at publication, so on the local day of the
  publication), from the post's latest `EngagementSnapshot` (latest `at`, then highest id):
  engagements + likes + replies + reposts + quotes, impressions + impressions,
  impression_engagements + the same engagements when the snapshot has impressions (a
  figure the network does not give, None, counts 0). The publishing engine keeps the cells
  up to date by adding, each time a new snapshot becomes a post's latest, the change
  `engagement_delta(previous, current)` through `rollup_add`.

The package: `cells` (the tables, their keys, the upsert statement), `incremental` (what
each event adds), `engagement` (snapshot measures and deltas), `recount` (what the raw
events say, and whether the rollups agree) and `rebuild` (recompute a range). Other apps
use the names re-exported here only.
"""

from .cells import (
    COARSE,
    FINE,
    MEMBER,
    TABLES,
    TEAM,
    TOTAL,
    Delta,
    TableSpec,
    month_start,
    to_cents,
)
from .engagement import (
    ENGAGEMENT_MEASURES,
    EngagementFigures,
    engagement_delta,
    engagement_measures,
)
from .incremental import rollup_add, rollups_add_many, team_membership_changed
from .rebuild import rollups_rebuild
from .recount import CellKey, coarse_mismatches, rollups_read, rollups_recount

__all__ = [
    "COARSE",
    "ENGAGEMENT_MEASURES",
    "FINE",
    "MEMBER",
    "TABLES",
    "TEAM",
    "TOTAL",
    "CellKey",
    "Delta",
    "EngagementFigures",
    "TableSpec",
    "coarse_mismatches",
    "engagement_delta",
    "engagement_measures",
    "month_start",
    "rollup_add",
    "rollups_add_many",
    "rollups_read",
    "rollups_rebuild",
    "rollups_recount",
    "team_membership_changed",
    "to_cents",
]
