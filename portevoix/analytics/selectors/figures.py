"""The figures the dashboards show, the dimensions and orders they are read by."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Sum
from django.utils.translation import gettext as _

from portevoix.core.networks import Network

from ..models import (
    MEASURES,
)

Dimension = Literal["item", "campaign", "team", "ambassador", "network"]
DIMENSIONS: tuple[Dimension, ...] = ("item", "campaign", "team", "ambassador", "network")
Unit = Literal["day", "week", "month"]
UNITS: tuple[Unit, ...] = ("day", "week", "month")
# What a breakdown may be sorted by (descending).
ORDERS = (
    "clicks",
    "shares",
    "original_posts",
    "potential_reach",
    "unique_visitors",
    "conversions",
    "conversion_value",
    "engagements",
    "impressions",
)
TOP = 50
MAX_RANGE_DAYS = 3 * 366

# The column that holds each dimension in the rollup tables.
DIMENSION_COLUMN = {
    "item": "item_id",
    "campaign": "campaign_id",
    "ambassador": "membership_id",
    "team": "team_id",
    "network": "network",
}


# --- Figures


# Networks that give ordinary apps no metrics of their members' posts (LinkedIn keeps
# them for partner programmes): their engagement figures are "not available", never 0.
ENGAGEMENT_UNAVAILABLE = frozenset({Network.LINKEDIN})
# The engagement figures, as `Figures.as_dict` names them (None where not available).
ENGAGEMENT_FIGURES = ("engagements", "impressions", "impression_engagements", "engagement_rate")


def unmeasured(network: str | None) -> str:
    """`network` when figures of that network alone have no engagement, else ""."""
    return network if network in ENGAGEMENT_UNAVAILABLE else ""


@dataclass(frozen=True)
class Figures:
    shares: int = 0
    original_posts: int = 0
    potential_reach: int = 0
    clicks: int = 0
    unique_visitors: int = 0
    conversions: int = 0
    conversion_value: Decimal = Decimal("0.00")
    engagements: int = 0
    impressions: int = 0
    impression_engagements: int = 0
    # The network these figures are all from, when that network gives no engagement figures
    # (LinkedIn): then they are "not available", not 0. "" otherwise.
    unmeasured_network: str = ""

    @classmethod
    def from_sums(cls, row: dict[str, Any], *, unmeasured_network: str = "") -> Figures:
        values = {m: int(row.get(m) or 0) for m in MEASURES}
        cents = values.pop("conversion_value_cents")
        return cls(
            **values,
            conversion_value=(Decimal(cents) / 100).quantize(Decimal("0.01")),
            unmeasured_network=unmeasured_network,
        )

    @property
    def click_through(self) -> Decimal | None:
        """Clicks ÷ shares (None when there is no share: shown as "—")."""
        if not self.shares:
            return None
        return (Decimal(self.clicks) / Decimal(self.shares)).quantize(Decimal("0.01"))

    @property
    def engagement_available(self) -> bool:
        return not self.unmeasured_network

    @property
    def unavailable_text(self) -> str:
        """Why the engagement figures are not shown ("" when they are)."""
        if not self.unmeasured_network:
            return ""
        network = Network.LABELS.get(self.unmeasured_network, self.unmeasured_network)
        return _("not available from %(network)s") % {"network": network}

    @property
    def engagement_rate(self) -> Decimal | None:
        """Engagements of the posts whose network reports impressions ÷ impressions, a
        ratio with four decimals (None when there is no impression, or not available)."""
        if not self.impressions or not self.engagement_available:
            return None
        return (Decimal(self.impression_engagements) / Decimal(self.impressions)).quantize(
            Decimal("0.0001")
        )

    @property
    def engagement_rate_percent(self) -> Decimal | None:
        """The same rate in percent, two decimals (for the pages)."""
        if self.engagement_rate is None:
            return None
        return (Decimal(self.impression_engagements) * 100 / Decimal(self.impressions)).quantize(
            Decimal("0.01")
        )

    def as_dict(self) -> dict[str, Any]:
        available = self.engagement_available
        return {
            "shares": self.shares,
            "original_posts": self.original_posts,
            "potential_reach": self.potential_reach,
            "clicks": self.clicks,
            "unique_visitors": self.unique_visitors,
            "click_through": self.click_through,
            "conversions": self.conversions,
            "conversion_value": self.conversion_value,
            "engagements": self.engagements if available else None,
            "impressions": self.impressions if available else None,
            "impression_engagements": self.impression_engagements if available else None,
            "engagement_rate": self.engagement_rate,
            "engagement_available": available,
        }


SUMS = {m: Sum(m) for m in MEASURES}
