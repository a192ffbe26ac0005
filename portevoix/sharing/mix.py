"""The content mix of the shares: third-party / industry news against the rest (the seeds'
80/20, 002), for curation's page. Read through `sharing.selectors`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from portevoix.core.tenancy import scoped

from .models import Share

# The seeds' balance (002): 80 % expertise and company content, 20 % sector watch.
THIRD_PARTY_TARGET = 20
# A mix counts as "near the target" within this many points of it.
TOLERANCE = 10


@dataclass(frozen=True)
class ContentMix:
    """Shares of third-party / industry news against all shares (the seeds' 80/20: 002)."""

    third_party: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.third_party / self.total) if self.total else None

    @property
    def band(self) -> str:
        """ "below" (mostly company content), "near" the target, or "above" it."""
        percent = self.percent or 0
        if percent < THIRD_PARTY_TARGET - TOLERANCE:
            return "below"
        if percent > THIRD_PARTY_TARGET + TOLERANCE:
            return "above"
        return "near"


def content_mix(
    *,
    organization_id: int,
    since: dt.datetime,
    until: dt.datetime | None = None,
    membership_id: int | None = None,
) -> tuple[ContentMix, dict[int, ContentMix]]:
    """The program's mix since `since`, and each sharing member's, counting shares as the
    analytics figures do (every share, but those taken down by moderation). One query."""
    rows = (
        scoped(Share, organization_id)
        .filter(created_at__gte=since, removed_at__isnull=True)
        .filter(**({"created_at__lt": until} if until is not None else {}))
        .filter(**({"membership_id": membership_id} if membership_id is not None else {}))
        .values("membership_id")
        .annotate(
            total=Count("id"),
            third=Count("id", filter=Q(item__content_type="industry_news")),
        )
    )
    per_member = {r["membership_id"]: ContentMix(r["third"], r["total"]) for r in rows}
    program = ContentMix(
        sum(m.third_party for m in per_member.values()),
        sum(m.total for m in per_member.values()),
    )
    return program, per_member
