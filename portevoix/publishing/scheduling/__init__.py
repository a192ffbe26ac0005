"""When to publish: the organization's cadence rules and the best time to post.

Pure reads and computations: nothing here writes to the database.

- `cadence_reasons()` says why a moment is refused by the organization's `CadenceRule`
  for a network (at most N posts per local day, at least M minutes between two posts).
- `next_allowed()` is the earliest moment at or after a given one that the rules accept.
- `heatmap()` weighs each local weekday x hour by the clicks and the engagement the
  ambassador (else their teams, else the organization) earned in the last 90 days; with
  too little data it falls back to recommended defaults (seed 002: in B2B, the morning
  before arriving at the office, lunch time and the evening after 18:00; the weekend too,
  LinkedIn working well on Sunday morning).
- `best_slot()` picks the best hour of the next 7 days that the cadence rules accept.

Every datetime in and out is aware and compared in UTC; days and hours are the
ambassador's local ones (`User.time_zone`, else settings.TIME_ZONE), built with zoneinfo so
a local time that does not exist (the hour skipped when DST starts) is never proposed, and
an hour that happens twice (when DST ends) is two distinct slots.
"""

from .base import (
    CADENCE_STATES,
    SOURCE_DEFAULTS,
    SOURCE_ORGANIZATION,
    SOURCE_OWN,
    SOURCE_TEAM,
    _local_instants,
    tz_of,
)
from .cadence import cadence_reasons, next_allowed
from .heatmap import Heatmap, HeatmapCell, HeatmapRow, default_weights, heatmap
from .slots import _candidates, best_slot

__all__ = [
    "CADENCE_STATES",
    "SOURCE_DEFAULTS",
    "SOURCE_ORGANIZATION",
    "SOURCE_OWN",
    "SOURCE_TEAM",
    "Heatmap",
    "HeatmapCell",
    "HeatmapRow",
    "_candidates",
    "_local_instants",
    "best_slot",
    "cadence_reasons",
    "default_weights",
    "heatmap",
    "next_allowed",
    "tz_of",
]
