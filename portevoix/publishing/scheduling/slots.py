"""The best slot: the best-ranked hour of the next 7 days the cadence accepts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from portevoix.core import clock

from .base import (
    BEST_LOOKAHEAD,
    BEST_MIN_DELAY,
    SLOT_MINUTE,
    UTC,
    _aware,
    _local_instants,
    _when_label,
    tz_of,
)
from .cadence import _Cadence
from .heatmap import (
    heatmap,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# --- Best slot


def _candidates(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> list[dt.datetime]:
    """One slot per local hour in [start, end): the hour's start + SLOT_MINUTE, or `start`
    itself in the hour that contains it. Skipped local hours give none; repeated ones two."""
    slots: list[dt.datetime] = []
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        for hour in range(24):
            for hour_start in _local_instants(day, hour, 0, tz):
                slot = hour_start + dt.timedelta(minutes=SLOT_MINUTE)
                if slot < start:
                    if hour_start + dt.timedelta(hours=1) <= start:
                        continue
                    slot = start
                if slot < end:
                    slots.append(slot)
        day += dt.timedelta(days=1)
    return sorted(set(slots))


def _ceil_minute(value: dt.datetime) -> dt.datetime:
    floor = value.replace(second=0, microsecond=0)
    return floor if floor == value else floor + dt.timedelta(minutes=1)


def best_slot(
    *,
    membership: Membership,
    network: str,
    now: dt.datetime | None = None,
    exclude_post_id: int | None = None,
) -> tuple[dt.datetime, str]:
    """The best slot (UTC) in the next 7 days, at least 15 minutes from now, that the
    cadence rule accepts, and a note saying where it comes from and, when the best-ranked
    slot was refused, why it moved. Ties go to the earliest slot."""
    current = _aware(now, "now") if now is not None else clock.now()
    tz = tz_of(membership)
    themap = heatmap(membership=membership, network=network, now=current)
    start = _ceil_minute(current + BEST_MIN_DELAY)
    end = start + BEST_LOOKAHEAD
    ranked = sorted(
        _candidates(start, end, tz),
        key=lambda slot: (-themap.weight(slot.astimezone(tz)), slot),
    )
    cadence = _Cadence.load(
        membership=membership,
        network=network,
        tz=tz,
        start=start,
        end=end + dt.timedelta(days=60),
        exclude_post_id=exclude_post_id,
    )
    note = themap.label + "."
    if not ranked:  # pragma: no cover - 7 days always hold slots
        ranked = [start]
    top = ranked[0]
    chosen: dt.datetime | None = None
    for slot in ranked:
        if not cadence.conflicts(slot):
            chosen = slot
            break
    if chosen is None:
        chosen = cadence.next_allowed(start, end + dt.timedelta(days=60))
    reasons = cadence.reasons(top) if chosen != top else []
    if chosen is None:
        # Nothing is accepted in two months: keep the best slot and say why; whoever
        # schedules it checks the cadence again.
        chosen = top
        note += " " + " ".join(reasons)
    elif reasons:
        note += " " + _("Moved from %(when)s: %(reason)s") % {
            "when": _when_label(top.astimezone(tz)),
            "reason": " ".join(reasons),
        }
    return chosen.astimezone(UTC), note
