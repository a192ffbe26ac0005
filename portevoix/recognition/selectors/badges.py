"""Reads of badges: a person's own, the gallery with its holders (as each chose to
appear; the hidden never listed), and `badges_of` for the HR export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from portevoix.accounts import selectors as accounts_selectors
from portevoix.core.errors import NotFound
from portevoix.core.tenancy import scoped

from ..models import Badge, BadgeAward

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

HOLDERS_SHOWN = 8


@dataclass
class GalleryRow:
    badge: Badge
    holders: int  # those who appear (by name or pseudonym)
    names: list[str] = field(default_factory=list)
    earned_at: dt.datetime | None = None  # the viewer's, when they hold it


def my_badges(*, membership: Membership) -> list[BadgeAward]:
    """The member's badges, latest first (whatever they chose: their own page)."""
    return list(
        scoped(BadgeAward, membership.organization_id)
        .filter(membership_id=membership.pk)
        .select_related("badge")
        .order_by("-earned_at", "-id")
    )


def _shown(default: str, path: str) -> Q:
    prefix = f"{path}__" if path else ""
    return accounts_selectors.visible_q(default=default, path=path) & Q(
        **{f"{prefix}is_active": True}
    )


def gallery(*, membership: Membership, include_retired: bool = False) -> list[GalleryRow]:
    """Every badge of the organization with how many people who appear hold it and the
    latest of them (at most HOLDERS_SHOWN each), and when the viewer earned it. Four
    queries whatever the number of badges and holders."""
    organization_id = membership.organization_id
    default = accounts_selectors.default_visibility(organization_id)
    badges = scoped(Badge, organization_id).annotate(
        shown=Count("awards", filter=_shown(default, "awards__membership"))
    )
    if not include_retired:
        badges = badges.filter(active=True)
    rows = {
        badge.pk: GalleryRow(badge=badge, holders=badge.shown)
        for badge in badges.order_by("threshold", "pk")
    }
    latest = (
        scoped(BadgeAward, organization_id)
        .filter(badge_id__in=list(rows))
        .filter(_shown(default, "membership"))
        .annotate(
            row=Window(
                RowNumber(), partition_by=F("badge_id"), order_by=[F("earned_at").desc(), "id"]
            )
        )
        .filter(row__lte=HOLDERS_SHOWN)
        .select_related("membership__user", "membership__ambassador")
        .order_by("badge_id", "-earned_at", "id")
    )
    for award in latest:
        shown = accounts_selectors.public_name_of(award.membership, default)
        if not shown.hidden:
            rows[award.badge_id].names.append(shown.name)
    for badge_id, earned_at in (
        scoped(BadgeAward, organization_id)
        .filter(membership_id=membership.pk)
        .values_list("badge_id", "earned_at")
    ):
        if badge_id in rows:
            rows[badge_id].earned_at = earned_at
    return list(rows.values())


def _bound(value: dt.date | dt.datetime, end: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    day = value + dt.timedelta(days=1) if end else value
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))


def badges_of(
    membership: Membership, start: dt.date | dt.datetime, end: dt.date | dt.datetime
) -> list[tuple[str, dt.datetime]]:
    """[(badge name, earned at)] of the member earned between `start` and `end`, oldest
    first (for the HR export). Dates are local days, both included; datetimes give
    [start, end). One indexed query (`membership, earned_at`)."""
    rows = (
        scoped(BadgeAward, membership.organization_id)
        .filter(
            membership_id=membership.pk,
            earned_at__gte=_bound(start, end=False),
            earned_at__lt=_bound(end, end=True),
        )
        .select_related("badge")
        .order_by("earned_at", "id")
    )
    return [(award.badge.label, award.earned_at) for award in rows]


def badges_between(
    *, organization_id: int, membership_ids: list[int], start: dt.date, end: dt.date
) -> dict[int, list[str]]:
    """{membership id: [badge names]} earned on the local days from `start` to `end` (both
    included), oldest first, for several people at once (the HR export: one query)."""
    rows = (
        scoped(BadgeAward, organization_id)
        .filter(
            membership_id__in=membership_ids,
            earned_at__gte=_bound(start, end=False),
            earned_at__lt=_bound(end, end=True),
        )
        .select_related("badge")
        .order_by("earned_at", "id")
    )
    found: dict[int, list[str]] = {}
    for award in rows:
        found.setdefault(award.membership_id, []).append(str(award.badge.label))
    return found


def earned_badge(*, organization_id: int, award_id: int) -> BadgeAward:
    """One earned badge with its badge (notifications' message); `NotFound` otherwise."""
    award = scoped(BadgeAward, organization_id).select_related("badge").filter(pk=award_id).first()
    if award is None:
        raise NotFound("Not found.")
    return award


def badge_to_manage(*, membership: Membership, pk: int) -> Badge:
    """A badge of the member's organization (`NotFound` for another's)."""
    badge = scoped(Badge, membership.organization_id).filter(pk=pk).first()
    if badge is None:
        raise NotFound("Not found.")
    return badge
