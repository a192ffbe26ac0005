"""The content mix of the shares: third-party / industry news against the rest (the seeds'
80/20, 002), for curation's page. Read through `sharing.selectors`.

The target is the organization's (its content mix target, on the analytics settings page),
read through `settings.CONTENT_MIX_TARGET_PROVIDER`; the seeds' 20 % when none is set."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils.module_loading import import_string

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
    target: int = THIRD_PARTY_TARGET  # the organization's, in %

    @property
    def percent(self) -> int | None:
        return round(100 * self.third_party / self.total) if self.total else None

    @property
    def band(self) -> str:
        """ "below" (mostly company content), "near" the target, or "above" it."""
        percent = self.percent or 0
        if percent < self.target - TOLERANCE:
            return "below"
        if percent > self.target + TOLERANCE:
            return "above"
        return "near"


def third_party_target(organization_id: int) -> int:
    """The organization's target share of third-party news, in % (0 to 100)."""
    path = getattr(settings, "CONTENT_MIX_TARGET_PROVIDER", "")
    if not path:
        return THIRD_PARTY_TARGET
    return max(0, min(100, int(import_string(path)(organization_id))))


def content_mix(
    *,
    organization_id: int,
    since: dt.datetime,
    until: dt.datetime | None = None,
    membership_id: int | None = None,
) -> tuple[ContentMix, dict[int, ContentMix]]:
    """The program's mix since `since`, and each sharing member's, counting shares as the
    analytics figures do (every share, but those taken down by moderation), against the
    organization's target. Two queries."""
    target = third_party_target(organization_id)
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
    per_member = {r["membership_id"]: ContentMix(r["third"], r["total"], target) for r in rows}
    program = ContentMix(
        sum(m.third_party for m in per_member.values()),
        sum(m.total for m in per_member.values()),
        target,
    )
    return program, per_member
