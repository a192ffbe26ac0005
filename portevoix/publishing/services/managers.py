"""The managers' writes: the posting rhythm (cadence) and the crisis pause with its held
posts."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts import frame
from portevoix.accounts.permissions import require
from portevoix.content import selectors as content_selectors
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.core.networks import Network
from portevoix.core.tenancy import get_scoped_or_404, scoped
from portevoix.governance import gates

from .. import signals
from ..models import (
    CadenceRule,
    CrisisPause,
    Post,
    PostState,
)
from ..tasks import publish_post

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger("portevoix.publishing")

# --------------------------------------------------------------------------- cadence


# The posting rhythm's ranges (the API's schema states them too).
CADENCE_MAX_PER_DAY = 100
CADENCE_MAX_GAP_MINUTES = 7 * 24 * 60  # a week


@transaction.atomic
def cadence_set(
    *, actor: Membership, network: str, max_per_day: int, min_gap_minutes: int
) -> CadenceRule | None:
    """Set the organization's rhythm for a network; both at 0 removes the rule."""
    require(actor, "publishing.cadence")
    if network not in Network.ALL:
        raise NotFound(_("Not found."))
    errors: dict[str, list[str]] = {}
    if not 0 <= max_per_day <= CADENCE_MAX_PER_DAY:
        errors["max_per_day"] = [_("Between 0 and 100.")]
    if not 0 <= min_gap_minutes <= CADENCE_MAX_GAP_MINUTES:
        errors["min_gap_minutes"] = [_("Between 0 and 10,080 minutes (a week).")]
    if errors:
        raise DomainError(_("Check the values."), field_errors=errors)
    qs = scoped(CadenceRule, actor.organization_id).filter(network=network)
    before = qs.values("max_per_day", "min_gap_minutes").first()
    rule: CadenceRule | None
    if max_per_day == 0 and min_gap_minutes == 0:
        qs.delete()
        rule = None
    else:
        rule = qs.select_for_update().first() or CadenceRule(
            organization_id=actor.organization_id, network=network
        )
        rule.max_per_day = max_per_day
        rule.min_gap_minutes = min_gap_minutes
        rule.save()
    gates.audit_record(
        organization=actor.organization,
        actor=actor,
        action="publishing.cadence_set",
        object_type="cadence_rule",
        object_id=network,
        before=dict(before) if before else None,
        after={"max_per_day": max_per_day, "min_gap_minutes": min_gap_minutes},
    )
    return rule


# --------------------------------------------------------------------------- crisis pause


@transaction.atomic
def pause_start(*, actor: Membership, reason: str, campaign_id: int | None = None) -> CrisisPause:
    """Stop every scheduled publication of the organization (or of one campaign) at once.
    Nothing goes out while the pause lasts; what comes due is held for the manager."""
    require(actor, "publishing.pause")
    reason = reason.strip()
    if not reason or len(reason) > 2000:
        message = _("Say why (it is shown to the ambassadors).")
        raise DomainError(message, field_errors={"reason": [message]})
    campaign = None
    if campaign_id is not None:
        campaign = get_scoped_or_404(
            content_selectors.campaigns(membership=actor), actor.organization_id, pk=campaign_id
        )
    existing = (
        scoped(CrisisPause, actor.organization_id)
        .filter(ended_at__isnull=True, campaign=campaign)
        .exists()
    )
    if existing:
        raise Conflict(_("Publishing is already paused."))
    pause = CrisisPause.objects.create(
        organization_id=actor.organization_id,
        campaign=campaign,
        reason=reason,
        started_by=actor,
        started_at=clock.now(),
    )
    gates.audit_record(
        organization=actor.organization,
        actor=actor,
        action="publishing.pause",
        object_type="crisis_pause",
        object_id=pause.pk,
        before=None,
        after={"reason": reason, "campaign": campaign.name if campaign else None},
    )
    signals.send_on_commit(
        signals.pause_started,
        organization_id=actor.organization_id,
        pause_id=pause.pk,
        campaign_id=pause.campaign_id,
    )
    logger.warning(
        "publishing_paused org=%s pause=%s campaign=%s",
        actor.organization_id,
        pause.pk,
        campaign_id,
    )
    return pause


@transaction.atomic
def pause_end(*, actor: Membership, pause_id: int) -> CrisisPause:
    """Resume. What was held stays held until the manager releases or cancels it."""
    require(actor, "publishing.pause")
    pause = get_scoped_or_404(CrisisPause, actor.organization_id, pk=pause_id)
    if pause.ended_at is not None:
        raise Conflict(_("This pause has already ended."))
    now = clock.now()
    CrisisPause.objects.filter(pk=pause.pk, ended_at__isnull=True).update(
        ended_at=now, ended_by=actor
    )
    frame.bump_organization(actor.organization_id)  # the banner (an update sends no signal)
    held = Post.objects.filter(held_by=pause, state=PostState.HELD).count()
    gates.audit_record(
        organization=actor.organization,
        actor=actor,
        action="publishing.resume",
        object_type="crisis_pause",
        object_id=pause.pk,
        before={"reason": pause.reason},
        after={"held": held},
    )
    pause.refresh_from_db()
    signals.send_on_commit(
        signals.pause_ended,
        organization_id=actor.organization_id,
        pause_id=pause.pk,
        campaign_id=pause.campaign_id,
    )
    return pause


@transaction.atomic
def held_decide(
    *, actor: Membership, pause_id: int, post_ids: list[int] | None, release: bool
) -> int:
    """After a pause: let held posts go out now (`release`) or cancel them. `post_ids` None
    means every post this pause held."""
    require(actor, "publishing.pause")
    pause = get_scoped_or_404(CrisisPause, actor.organization_id, pk=pause_id)
    if pause.ended_at is None:
        raise Conflict(_("Resume publishing first."))
    qs = scoped(Post, actor.organization_id).filter(held_by=pause, state=PostState.HELD)
    if post_ids is not None:
        qs = qs.filter(pk__in=post_ids)
    ids = list(qs.values_list("pk", flat=True))
    changes: dict[str, Any]
    if release:
        changes = {
            "state": PostState.SCHEDULED,
            "scheduled_at": clock.now(),
            "next_attempt_at": None,
        }
    else:
        changes = {
            "state": PostState.CANCELLED,
            "error": _("Cancelled after the publishing pause: %(reason)s")
            % {"reason": pause.reason},
        }
    count = Post.objects.filter(pk__in=ids, state=PostState.HELD).update(**changes)
    gates.audit_record(
        organization=actor.organization,
        actor=actor,
        action="publishing.held_release" if release else "publishing.held_cancel",
        object_type="crisis_pause",
        object_id=pause.pk,
        before=None,
        after={"posts": count},
    )
    if release and ids:
        transaction.on_commit(lambda: [publish_post(i) for i in ids[:200]])
    return count
