"""The organization's posting rhythm (`CadenceRule`): why a moment is refused, and the next
moment it accepts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils.translation import gettext as _

from portevoix.core.tenancy import scoped

from ..models import CadenceRule, Post, PostState
from .base import (
    CADENCE_STATES,
    FIRST_GOOD_HOUR,
    MAX_CADENCE_ROWS,
    _aware,
    _day_label,
    _duration_label,
    _first_local,
    _network_label,
    _time_label,
    _when_label,
    tz_of,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

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
