"""Fair play: suspicious patterns are flagged for the community manager, never punished by
themselves (docs/decisions/0005-self-clicks.md says what can and cannot be detected).

Right after a share is posted (in its transaction, through `share_posted`), the share is
remembered (`PostedShare`: who, when, a hash of its personalized text) and two patterns are
looked for:

- a burst: more than `burst_shares` shares by one person within `burst_minutes`;
- the same text: one normalized personalized text posted by at least `same_text_people`
  people within `same_text_hours` hours.

A pattern is one `FairPlayFlag`, keyed per organization: a later share within the window
joins the open flag instead of opening another, and a retry creates nothing. A flag changes
no points: the community manager (or an administrator) dismisses it, or confirms it, and
may then reverse the points of its shares, each reversal a ledger row carrying the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import DomainError, NotFound
from portevoix.core.tenancy import scoped

from ..models import (
    FairPlayFlag,
    FairPlaySettings,
    FlagKind,
    FlagStatus,
    PointEntry,
    PostedShare,
    RuleCode,
)
from .ledger import points_reverse, points_reverse_source
from .pending import pending_forget_source

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

ENGAGEMENT_RULES = (RuleCode.LIKE, RuleCode.REPOST, RuleCode.COMMENT)
LIMITS = {
    "burst_shares": (2, 1000),
    "burst_minutes": (1, 1440),
    "same_text_people": (2, 1000),
    "same_text_hours": (1, 720),
}


def fairplay_settings(organization_id: int) -> FairPlaySettings:
    """The organization's thresholds (the defaults, unsaved, until an administrator sets
    them)."""
    found = scoped(FairPlaySettings, organization_id).first()
    return found or FairPlaySettings(organization_id=organization_id)


@dataclass(frozen=True)
class Thresholds:
    burst_shares: int
    burst_minutes: int
    same_text_people: int
    same_text_hours: int


@transaction.atomic
def fairplay_settings_set(*, actor: Membership, thresholds: Thresholds) -> FairPlaySettings:
    """Needs `recognition.manage`. Applies to the shares posted from now on."""
    require(actor, "recognition.manage")
    errors: dict[str, list[str]] = {}
    for name, (low, high) in LIMITS.items():
        if not low <= getattr(thresholds, name) <= high:
            errors[name] = [_("Between %(low)d and %(high)d.") % {"low": low, "high": high}]
    if errors:
        raise DomainError(_("Some values are not valid."), field_errors=errors)
    row, _created = FairPlaySettings.objects.update_or_create(
        organization_id=actor.organization_id,
        defaults={**thresholds.__dict__, "updated_by": actor},
    )
    return row


def _flag(
    *,
    organization_id: int,
    kind: str,
    prefix: str,
    since: dt.datetime,
    at: dt.datetime,
    shares: list[PostedShare],
    threshold: dict[str, int],
) -> FairPlayFlag:
    """The flag of this pattern: the one still open in the window grows, else a new one."""
    share_ids = sorted({s.share_id for s in shares})
    member_ids = sorted({s.membership_id for s in shares})
    rows = scoped(FairPlayFlag, organization_id).filter(kind=kind, key__startswith=prefix)
    flag = rows.select_for_update().filter(last_at__gte=since).order_by("-last_at").first()
    if flag is None:
        key = f"{prefix}{share_ids[0]}"
        try:
            with transaction.atomic():
                flag = FairPlayFlag.objects.create(
                    organization_id=organization_id,
                    kind=kind,
                    key=key,
                    evidence={"shares": share_ids, **threshold},
                    first_at=min(s.at for s in shares),
                    last_at=at,
                    created_at=clock.now(),
                )
        except IntegrityError:  # a concurrent worker created it: join theirs
            flag = rows.select_for_update().get(key=key)
    if flag.status == FlagStatus.OPEN:
        known = set(flag.evidence.get("shares", []))
        if not set(share_ids) <= known or at > flag.last_at:
            flag.evidence = {**flag.evidence, "shares": sorted(known | set(share_ids))}
            flag.last_at = max(flag.last_at, at)
            flag.save(update_fields=["evidence", "last_at"])
        flag.members.add(*member_ids)
    return flag


def fairplay_share_posted(
    *, organization_id: int, membership_id: int, share_id: int, text_hash: str, at: dt.datetime
) -> list[FairPlayFlag]:
    """Remember the share and flag the patterns it completes (see the module). Idempotent."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                PostedShare.objects.create(
                    organization_id=organization_id,
                    membership_id=membership_id,
                    share_id=share_id,
                    text_hash=text_hash[:32],
                    at=at,
                )
        except IntegrityError:
            return []  # already seen: its patterns were looked for then
        limits = fairplay_settings(organization_id)
        flags: list[FairPlayFlag] = []
        since = at - dt.timedelta(minutes=limits.burst_minutes)
        burst = list(
            scoped(PostedShare, organization_id).filter(
                membership_id=membership_id, at__gte=since, at__lte=at
            )
        )
        if len(burst) > limits.burst_shares:
            flags.append(
                _flag(
                    organization_id=organization_id,
                    kind=FlagKind.BURST,
                    prefix=f"burst:{membership_id}:",
                    since=since,
                    at=at,
                    shares=burst,
                    threshold={"limit": limits.burst_shares, "minutes": limits.burst_minutes},
                )
            )
        if text_hash:
            since = at - dt.timedelta(hours=limits.same_text_hours)
            same = list(
                scoped(PostedShare, organization_id).filter(
                    text_hash=text_hash, at__gte=since, at__lte=at
                )
            )
            if len({s.membership_id for s in same}) >= limits.same_text_people:
                flags.append(
                    _flag(
                        organization_id=organization_id,
                        kind=FlagKind.SAME_TEXT,
                        prefix=f"same_text:{text_hash[:32]}:",
                        since=since,
                        at=at,
                        shares=same,
                        threshold={
                            "people": limits.same_text_people,
                            "hours": limits.same_text_hours,
                        },
                    )
                )
        return flags


def _open_flag(actor: Membership, flag_id: int) -> FairPlayFlag:
    require(actor, "recognition.fairplay")
    flag = (
        scoped(FairPlayFlag, actor.organization_id).select_for_update().filter(pk=flag_id).first()
    )
    if flag is None:
        raise NotFound(_("Not found."))
    if flag.status != FlagStatus.OPEN:
        raise DomainError(_("This flag was already reviewed."))
    return flag


@transaction.atomic
def flag_dismiss(*, actor: Membership, flag_id: int, reason: str = "") -> FairPlayFlag:
    """Nothing wrong: the flag is closed, the points stay."""
    flag = _open_flag(actor, flag_id)
    flag.status = FlagStatus.DISMISSED
    flag.reviewed_by = actor
    flag.reviewed_at = clock.now()
    flag.reason = reason.strip()[:1000]
    flag.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason"])
    return flag


@transaction.atomic
def flag_confirm(
    *, actor: Membership, flag_id: int, reason: str, reverse_points: bool
) -> FairPlayFlag:
    """The pattern is real. With `reverse_points`, every award of the flagged shares to the
    flagged members (share, original post, engagement) is reversed once, with the reason."""
    reason = reason.strip()
    if not reason:
        message = _("Say why: the people concerned will see it next to their points.")
        raise DomainError(message, field_errors={"reason": [message]})
    flag = _open_flag(actor, flag_id)
    reversed_points = 0
    if reverse_points:
        note = _("Fair play: %(reason)s") % {"reason": reason}
        pending_forget_source(  # awards of these shares not given yet: never given
            organization_id=actor.organization_id,
            source_type="share",
            source_ids=flag.evidence.get("shares", []),
            membership_ids=flag.members.values_list("pk", flat=True),
        )
        awards = scoped(PointEntry, actor.organization_id).filter(
            source_type="share",
            source_id__in=flag.evidence.get("shares", []),
            membership__in=flag.members.all(),
            reverses__isnull=True,
            adjusts__isnull=True,
        )
        for key in list(awards.order_by("id").values_list("key", flat=True)):
            entry = points_reverse(organization_id=actor.organization_id, key=key, reason=note)
            if entry is not None:
                reversed_points -= entry.lifetime
    flag.status = FlagStatus.CONFIRMED
    flag.reviewed_by = actor
    flag.reviewed_at = clock.now()
    flag.reason = reason[:1000]
    flag.points_reversed = reversed_points
    flag.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason", "points_reversed"])
    return flag


def on_post_deleted(*, organization_id: int, share_id: int) -> int:
    """A post deleted on its network loses its engagement points (its share points stay:
    it was shared). Idempotent."""
    return points_reverse_source(
        organization_id=organization_id,
        source_type="share",
        source_id=share_id,
        rules=ENGAGEMENT_RULES,
        reason=_("The post was deleted on its network."),
    )
