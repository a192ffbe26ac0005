"""A period against the one just before it: the main figures, their change in absolute
terms and in percent ("—" when the previous period had none)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from portevoix.accounts import selectors as account_selectors

from .figures import SUMS, Figures, unmeasured
from .scope import Filters, Scope, scope_of
from .tables import _rows

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# The figures compared, in the order the pages show them. `clicks_per_share` is a ratio.
MAIN_FIGURES = (
    "shares",
    "original_posts",
    "potential_reach",
    "clicks",
    "clicks_per_share",
    "conversions",
    "conversion_value",
    "engagements",
    "impressions",
    "engagement_rate",
)
Number = int | Decimal


def _value(figures: Figures, key: str) -> Number | None:
    if key == "clicks_per_share":
        return figures.click_through
    if key == "engagement_rate":
        return figures.engagement_rate_percent
    value: Number | None = figures.as_dict()[key]
    return value


@dataclass(frozen=True)
class Change:
    """One figure in both periods. `delta` is None when either side has no value (a ratio
    without denominator, engagement not available); `percent` is also None when the
    previous value is 0 (no meaningful percentage: the pages show "—")."""

    key: str
    current: Number | None
    previous: Number | None

    @property
    def delta(self) -> Number | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def percent(self) -> Decimal | None:
        delta = self.delta
        if delta is None or not self.previous:
            return None
        return (Decimal(delta) * 100 / Decimal(self.previous)).quantize(Decimal("0.1"))

    @property
    def direction(self) -> str:
        """ "up", "down" or "same" ("" when there is no change to tell)."""
        delta = self.delta
        if delta is None:
            return ""
        return "up" if delta > 0 else "down" if delta < 0 else "same"


@dataclass(frozen=True)
class Comparison:
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    current: Figures
    previous: Figures

    @property
    def changes(self) -> dict[str, Change]:
        return {
            key: Change(key, _value(self.current, key), _value(self.previous, key))
            for key in MAIN_FIGURES
        }


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length that ends the day before `start`."""
    days = (end - start).days + 1
    previous_end = start - dt.timedelta(days=1)
    return previous_end - dt.timedelta(days=days - 1), previous_end


def _compare(
    scope: Scope, filters: Filters, previous: tuple[dt.date, dt.date] | None = None
) -> Comparison:
    previous_start, previous_end = previous or previous_period(filters.start, filters.end)
    before = Filters(
        previous_start, previous_end, filters.campaign_id, filters.team_id, filters.network
    )
    na = unmeasured(filters.network)
    sums = [_rows(scope, f)[1].aggregate(**SUMS) for f in (filters, before)]
    return Comparison(
        start=filters.start,
        end=filters.end,
        previous_start=previous_start,
        previous_end=previous_end,
        current=Figures.from_sums(sums[0], unmeasured_network=na),
        previous=Figures.from_sums(sums[1], unmeasured_network=na),
    )


def period_comparison(organization_id: int, start: dt.date, end: dt.date) -> Comparison:
    """The organization's main figures from `start` to `end` (both included) and in the
    period of the same length just before, two queries on the rollups. No permission
    check: the caller authorizes (`analytics.view_org`)."""
    if end < start:
        start, end = end, start
    return _compare(Scope(organization_id, None), Filters(start, end))


def comparison(
    *,
    membership: Membership,
    filters: Filters,
    own: bool = False,
    previous: tuple[dt.date, dt.date] | None = None,
) -> Comparison:
    """The dashboards' figures with the previous period (the same length just before, or
    `previous`: a report's previous calendar month), authorized as `totals`."""
    return _compare(scope_of(membership, own=own), filters, previous)


def hidden_ambassadors(*, organization_id: int) -> set[int]:
    """Memberships that chose not to appear (or whom the organization's default hides):
    one query on accounts' choice, the same the boards read."""
    return set(
        account_selectors.hidden_member_ids(organization_id=organization_id).values_list(
            "pk", flat=True
        )
    )


def appearance(*, membership: Membership) -> account_selectors.PublicName:
    """How others see the member in the top ambassadors and tables (one query)."""
    names = account_selectors.public_names(
        organization_id=membership.organization_id, membership_ids=[membership.pk]
    )
    return names.get(membership.pk) or account_selectors.PublicName(
        name="", visibility=account_selectors.default_visibility(membership.organization_id)
    )
