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

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portevoix.accounts.models import Membership
from portevoix.core import clock
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped
from portevoix.sharing.models import Click

from .models import CadenceRule, EngagementSnapshot, Post, PostState

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


# --- Cadence


@dataclass(frozen=True)
class _Conflicts:
    # The posts of a full local day (only when the day is full).
    day_posts: tuple[dt.datetime, ...] = ()
    # The posts closer than the minimum gap.
    gap_posts: tuple[dt.datetime, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.day_posts or self.gap_posts)


@dataclass
class _Cadence:
    """One rule and the ambassador's posts around a window, checked in memory."""

    network: str
    tz: ZoneInfo
    max_per_day: int = 0
    min_gap: dt.timedelta = dt.timedelta(0)
    # Effective times (published_at when published, else scheduled_at), UTC, sorted.
    times: list[dt.datetime] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.max_per_day > 0 or self.min_gap > dt.timedelta(0)

    @classmethod
    def load(
        cls,
        *,
        membership: Membership,
        network: str,
        tz: ZoneInfo,
        start: dt.datetime,
        end: dt.datetime,
        exclude_post_id: int | None,
    ) -> _Cadence:
        """The rule, and the posts that can conflict with a moment in [start, end]."""
        rule = (
            scoped(CadenceRule, membership.organization_id)
            .filter(network=network)
            .values_list("max_per_day", "min_gap_minutes")
            .first()
        )
        cadence = cls(network=network, tz=tz)
        if rule is None:
            return cadence
        cadence.max_per_day = rule[0] or 0
        cadence.min_gap = dt.timedelta(minutes=rule[1] or 0)
        if not cadence.active:
            return cadence
        # A local day lasts at most 26 hours; two days of margin cover it in every zone.
        lo = start - cadence.min_gap - dt.timedelta(days=2)
        hi = end + cadence.min_gap + dt.timedelta(days=2)
        posts = scoped(Post, membership.organization_id).filter(
            Q(scheduled_at__range=(lo, hi)) | Q(published_at__range=(lo, hi)),
            membership_id=membership.pk,
            network=network,
            state__in=CADENCE_STATES,
        )
        if exclude_post_id is not None:
            posts = posts.exclude(pk=exclude_post_id)
        rows = posts.order_by("scheduled_at").values_list("state", "scheduled_at", "published_at")
        times = []
        for state, scheduled_at, published_at in rows[:MAX_CADENCE_ROWS]:
            at = published_at if state == PostState.PUBLISHED and published_at else scheduled_at
            if lo <= at <= hi:
                times.append(at)
        cadence.times = sorted(times)
        return cadence

    def conflicts(self, at: dt.datetime) -> _Conflicts:
        if not self.active:
            return _Conflicts()
        day_posts: tuple[dt.datetime, ...] = ()
        if self.max_per_day:
            day = at.astimezone(self.tz).date()
            same_day = tuple(t for t in self.times if t.astimezone(self.tz).date() == day)
            if len(same_day) >= self.max_per_day:
                day_posts = same_day
        gap_posts: tuple[dt.datetime, ...] = ()
        if self.min_gap:
            gap_posts = tuple(t for t in self.times if abs(t - at) < self.min_gap)
        return _Conflicts(day_posts=day_posts, gap_posts=gap_posts)

    def reasons(self, at: dt.datetime, conflicts: _Conflicts | None = None) -> list[str]:
        found = self.conflicts(at) if conflicts is None else conflicts
        network = _network_label(self.network)
        reasons: list[str] = []
        if found.day_posts:
            locals_ = [t.astimezone(self.tz) for t in found.day_posts]
            if self.max_per_day == 1:
                reasons.append(
                    _("At most 1 post a day on %(network)s: you already have one on %(when)s.")
                    % {"network": network, "when": _when_label(locals_[0])}
                )
            else:
                reasons.append(
                    _(
                        "At most %(max)d posts a day on %(network)s: you already have %(count)d "
                        "on %(day)s, at %(times)s."
                    )
                    % {
                        "max": self.max_per_day,
                        "network": network,
                        "count": len(locals_),
                        "day": _day_label(locals_[0]),
                        "times": ", ".join(_time_label(t) for t in locals_),
                    }
                )
        if found.gap_posts:
            nearest = min(found.gap_posts, key=lambda t: (abs(t - at), t)).astimezone(self.tz)
            values = {
                "gap": _duration_label(int(self.min_gap.total_seconds()) // 60),
                "network": network,
                "time": _time_label(nearest),
                "day": _day_label(nearest),
            }
            if nearest.date() == at.astimezone(self.tz).date():
                reasons.append(
                    _(
                        "At least %(gap)s between two posts on %(network)s: another post is at "
                        "%(time)s."
                    )
                    % values
                )
            else:
                reasons.append(
                    _(
                        "At least %(gap)s between two posts on %(network)s: another post is on "
                        "%(day)s at %(time)s."
                    )
                    % values
                )
        return reasons

    def next_allowed(self, at: dt.datetime, until: dt.datetime) -> dt.datetime | None:
        """The earliest moment in [at, until] the rule accepts."""
        candidate = at
        while candidate <= until:
            found = self.conflicts(candidate)
            if not found:
                return candidate
            step = candidate
            if found.gap_posts:
                # Every moment before the farthest conflicting post + gap is still too close
                # to it: jump there.
                step = max(step, max(found.gap_posts) + self.min_gap)
            if found.day_posts:
                next_day = candidate.astimezone(self.tz).date() + dt.timedelta(days=1)
                step = max(step, _first_local(next_day, FIRST_GOOD_HOUR, self.tz))
            candidate = step
        return None


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value.astimezone(UTC)


def cadence_reasons(
    *,
    membership: Membership,
    network: str,
    at: dt.datetime,
    exclude_post_id: int | None = None,
) -> list[str]:
    """Why the organization's cadence rule for `network` refuses a post of `membership` at
    `at` (translated sentences); [] when it is accepted or there is no rule.

    `exclude_post_id`: the post being (re)scheduled, which does not conflict with itself."""
    at = _aware(at, "at")
    cadence = _Cadence.load(
        membership=membership,
        network=network,
        tz=tz_of(membership),
        start=at,
        end=at,
        exclude_post_id=exclude_post_id,
    )
    return cadence.reasons(at)


def next_allowed(
    *,
    membership: Membership,
    network: str,
    at: dt.datetime,
    exclude_post_id: int | None = None,
    horizon_days: int = 14,
) -> dt.datetime | None:
    """The earliest moment >= `at` the cadence rule accepts, within `horizon_days`; None if
    there is none. A full day moves to the next local day at 08:00 (or later); a gap moves to
    the end of the gap."""
    at = _aware(at, "at")
    until = at + dt.timedelta(days=horizon_days)
    cadence = _Cadence.load(
        membership=membership,
        network=network,
        tz=tz_of(membership),
        start=at,
        end=until,
        exclude_post_id=exclude_post_id,
    )
    return cadence.next_allowed(at, until)


# --- Heatmap


@dataclass(frozen=True)
class HeatmapCell:
    weekday: int  # 0 = Monday
    hour: int
    weight: float

    @property
    def label(self) -> str:
        return f"{self.hour:02d}:00"

    @property
    def percent(self) -> int:
        return round(self.weight * 100)

    @property
    def opacity(self) -> str:
        # Pre-formatted: a template would localize a float ("0,85" in French).
        return f"{self.weight:.2f}"


@dataclass(frozen=True)
class HeatmapRow:
    weekday: int  # 0 = Monday
    name: str
    abbr: str
    cells: tuple[HeatmapCell, ...]


@dataclass(frozen=True)
class Heatmap:
    # 7 rows (0 = Monday) x 24 local hours, each in [0, 1].
    weights: tuple[tuple[float, ...], ...]
    source: str
    events: int
    tz: str
    label: str

    def weight(self, local: dt.datetime) -> float:
        return self.weights[local.weekday()][local.hour]

    @property
    def hours(self) -> list[str]:
        return [f"{hour:02d}" for hour in range(24)]

    @property
    def rows(self) -> list[HeatmapRow]:
        return [
            HeatmapRow(
                weekday=day,
                name=str(WEEKDAYS[day]),
                abbr=str(WEEKDAYS_ABBR[day]),
                cells=tuple(HeatmapCell(day, hour, w) for hour, w in enumerate(self.weights[day])),
            )
            for day in range(7)
        ]


def default_weights(network: str) -> tuple[tuple[float, ...], ...]:
    """Seed 002: in B2B, before arriving at the office, lunch, the evening after 18:00; the
    weekend is good too, LinkedIn on Sunday morning."""
    weekday = [0.0] * 24
    for hour, w in {
        6: 0.3,
        7: 1.0,
        8: 1.0,
        9: 0.4,
        10: 0.35,
        11: 0.4,
        12: 0.9,
        13: 0.9,
        14: 0.35,
        15: 0.3,
        16: 0.3,
        17: 0.4,
        18: 0.85,
        19: 0.85,
        20: 0.85,
        21: 0.35,
        22: 0.15,
        23: 0.05,
    }.items():
        weekday[hour] = w
    weekend = [0.0] * 24
    for hour in range(8, 23):
        weekend[hour] = 0.5 if 9 <= hour <= 20 else 0.25
    sunday = list(weekend)
    if network == Network.LINKEDIN:
        sunday[9] = sunday[10] = 1.0
    return tuple(tuple(row) for row in [weekday] * 5 + [weekend, sunday])


def _label(source: str, network: str) -> str:
    if source == SOURCE_OWN:
        return _("From your own clicks and engagement")
    if source == SOURCE_TEAM:
        return _("From your team's clicks and engagement")
    if source == SOURCE_ORGANIZATION:
        return _("From the whole organization's clicks and engagement")
    if network == Network.LINKEDIN:
        return _(
            "Recommended defaults (before office hours, lunch, after 18:00, Sunday morning "
            "on LinkedIn)"
        )
    return _("Recommended defaults (before office hours, lunch, after 18:00)")


def _bucket(events: Iterable[tuple[dt.datetime, int]], tz: ZoneInfo) -> tuple[list[list[int]], int]:
    counts = [[0] * 24 for _day in range(7)]
    total = 0
    for at, n in events:
        if n <= 0:
            continue
        local = at.astimezone(tz)
        counts[local.weekday()][local.hour] += n
        total += n
    return counts, total


def _events(
    *,
    organization_id: int,
    network: str,
    since: dt.datetime,
    until: dt.datetime,
    scope: Q,
    post_scope: Q,
) -> list[tuple[dt.datetime, int]]:
    """Counted clicks (1 each) and the latest engagement of published posts (likes +
    replies + reposts + quotes, at the post's publication), newest first, bounded."""
    clicks = (
        scoped(Click, organization_id)
        .filter(
            scope,
            network=network,
            counted=True,
            day__gte=since.date() - dt.timedelta(days=1),
            at__gte=since,
            at__lt=until,
        )
        .order_by("-at")
        .values_list("at", flat=True)[:MAX_CLICK_ROWS]
    )
    found: list[tuple[dt.datetime, int]] = [(at, 1) for at in clicks]
    zero = Value(0)
    latest = (
        EngagementSnapshot.objects.filter(post=OuterRef("pk"))
        .order_by("-at", "-id")
        .annotate(
            total=Coalesce(F("likes"), zero)
            + Coalesce(F("replies"), zero)
            + Coalesce(F("reposts"), zero)
            + Coalesce(F("quotes"), zero)
        )
        .values("total")[:1]
    )
    posts = (
        scoped(Post, organization_id)
        .filter(
            post_scope,
            network=network,
            state=PostState.PUBLISHED,
            published_at__gte=since,
            published_at__lt=until,
        )
        .annotate(engagement=Subquery(latest, output_field=models.IntegerField()))
        .order_by("-published_at")
        .values_list("published_at", "engagement")[:MAX_POST_ROWS]
    )
    found.extend((at, engagement or 0) for at, engagement in posts if at is not None)
    return found


def _weights(counts: Sequence[Sequence[int]]) -> tuple[tuple[float, ...], ...]:
    top = max((max(row) for row in counts), default=0)
    if top <= 0:
        return tuple(tuple(0.0 for _h in row) for row in counts)
    return tuple(tuple(n / top for n in row) for row in counts)


def heatmap(*, membership: Membership, network: str, now: dt.datetime | None = None) -> Heatmap:
    """Local weekday x hour weights from the last 90 days: the ambassador's own clicks and
    engagement if there are at least 30 events, else their teams' (any team in common) if
    at least 60, else the organization's if at least 100, else the recommended defaults."""
    until = _aware(now, "now") if now is not None else clock.now()
    since = until - dt.timedelta(days=HISTORY_DAYS)
    tz = tz_of(membership)
    org_id = membership.organization_id
    levels: list[tuple[str, int, Q, Q]] = [
        (
            SOURCE_OWN,
            MIN_EVENTS_OWN,
            Q(membership_id_copy=membership.pk),
            Q(membership_id=membership.pk),
        )
    ]
    team_ids = list(membership.teams.values_list("id", flat=True))
    if team_ids:
        teammates = scoped(Membership, org_id).filter(teams__in=team_ids).values("id").distinct()
        levels.append(
            (
                SOURCE_TEAM,
                MIN_EVENTS_TEAM,
                Q(membership_id_copy__in=teammates),
                Q(membership_id__in=teammates),
            )
        )
    levels.append((SOURCE_ORGANIZATION, MIN_EVENTS_ORGANIZATION, Q(), Q()))
    for source, minimum, scope, post_scope in levels:
        events = _events(
            organization_id=org_id,
            network=network,
            since=since,
            until=until,
            scope=scope,
            post_scope=post_scope,
        )
        counts, total = _bucket(events, tz)
        if total >= minimum:
            return Heatmap(
                weights=_weights(counts),
                source=source,
                events=total,
                tz=tz.key,
                label=_label(source, network),
            )
    return Heatmap(
        weights=default_weights(network),
        source=SOURCE_DEFAULTS,
        events=0,
        tz=tz.key,
        label=_label(SOURCE_DEFAULTS, network),
    )


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
