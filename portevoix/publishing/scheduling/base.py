"""Constants, time zones and local-time labels shared by cadence, heatmap and slots."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portevoix.core.networks import Network

from ..models import PostState

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

UTC = dt.UTC

# Posts that take a place in the cadence: everything but failed and cancelled ones.
CADENCE_STATES = (
    PostState.AWAITING_APPROVAL,
    PostState.SCHEDULED,
    PostState.HELD,
    PostState.PUBLISHING,
    PostState.PUBLISHED,
)

HISTORY_DAYS = 90
MIN_EVENTS_OWN = 30
MIN_EVENTS_TEAM = 60
MIN_EVENTS_ORGANIZATION = 100
MAX_CLICK_ROWS = 20_000
MAX_POST_ROWS = 5_000
MAX_CADENCE_ROWS = 5_000

BEST_LOOKAHEAD = dt.timedelta(days=7)
BEST_MIN_DELAY = dt.timedelta(minutes=15)
# A slot is the local hour's start plus these minutes (not on the hour, when everyone posts).
SLOT_MINUTE = 5
# When a day is full, the next attempt is the next local day at this hour.
FIRST_GOOD_HOUR = 8

SOURCE_OWN = "own"
SOURCE_TEAM = "team"
SOURCE_ORGANIZATION = "organization"
SOURCE_DEFAULTS = "defaults"


# --- Time zones and local times


def tz_of(membership: Membership) -> ZoneInfo:
    """The ambassador's time zone; the platform's when unset or not a valid IANA name."""
    name = (membership.user.time_zone or "").strip()
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(settings.TIME_ZONE)


def _local_instants(day: dt.date, hour: int, minute: int, tz: ZoneInfo) -> list[dt.datetime]:
    """The UTC instants at which the local wall clock shows `day hour:minute`: none when
    the time is skipped (DST starts), two when it happens twice (DST ends), else one."""
    naive = dt.datetime.combine(day, dt.time(hour, minute))
    found: list[dt.datetime] = []
    for fold in (0, 1):
        aware = naive.replace(tzinfo=tz, fold=fold)
        instant = aware.astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) != naive:
            continue  # does not exist: zoneinfo would shift it
        if instant not in found:
            found.append(instant)
    return found


def _first_local(day: dt.date, hour: int, tz: ZoneInfo) -> dt.datetime:
    """The first instant of `day` at `hour`:00 local, or the next hour that exists."""
    for h in range(hour, 24):
        instants = _local_instants(day, h, 0, tz)
        if instants:
            return instants[0]
    return _first_local(day + dt.timedelta(days=1), 0, tz)  # pragma: no cover


def _day_label(local: dt.datetime) -> str:
    return formats.date_format(local, "D j M")


def _time_label(local: dt.datetime) -> str:
    return local.strftime("%H:%M")


def _when_label(local: dt.datetime) -> str:
    return _("%(day)s at %(time)s") % {"day": _day_label(local), "time": _time_label(local)}


def _duration_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return ngettext("%(n)d minute", "%(n)d minutes", rest) % {"n": rest}
    hours_text = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if not rest:
        return hours_text
    minutes_text = ngettext("%(n)d minute", "%(n)d minutes", rest) % {"n": rest}
    return _("%(hours)s %(minutes)s") % {"hours": hours_text, "minutes": minutes_text}


def _network_label(network: str) -> str:
    return Network.LABELS.get(network, network)


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value.astimezone(UTC)
