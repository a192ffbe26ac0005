"""Redemptions: ask (the points are held at once), approve, fulfil, refuse, cancel.

Asking locks, in this order, the organization's settings row (the month's budget), the
reward (its stock) and the member's all-time points total (recognition's
`points_hold`), then checks and writes: two requests never spend the same points, never
take the last item twice and never pass the budget, on PostgreSQL (row locks) as on SQLite
(IMMEDIATE transactions). One order for every writer, so no deadlock.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError
from portevoix.core.tenancy import get_scoped, scoped
from portevoix.governance import gates
from portevoix.recognition import services as recognition

from .. import signals
from ..models import HOLDING, Redemption, RedemptionStatus, Reward, RewardSettings
from .catalogue import settings_of

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MAX_REASON = 1000


def visible_to(reward: Reward, membership: Membership) -> bool:
    """Whether the reward is offered to the member: no team (everyone), or one of theirs."""
    teams = set(reward.teams.values_list("pk", flat=True))
    if not teams:
        return True
    mine = account_selectors.teams_by_member([membership.pk]).get(membership.pk, [])
    return bool(teams.intersection(mine))


def month_spent(organization_id: int, month: dt.date) -> int:
    """Points held or spent by the organization's redemptions of `month`."""
    total = (
        scoped(Redemption, organization_id)
        .filter(month=month, status__in=HOLDING)
        .aggregate(total=Sum("cost"))["total"]
    )
    return int(total or 0)


def _after_commit(redemption: Redemption) -> None:
    ids = (redemption.organization_id, redemption.pk, redemption.membership_id, redemption.status)
    transaction.on_commit(
        lambda: signals.redemption_decided.send(
            sender=Redemption,
            organization_id=ids[0],
            redemption_id=ids[1],
            membership_id=ids[2],
            status=ids[3],
        )
    )


def redemption_request(*, membership: Membership, reward_id: int) -> Redemption:
    """The member asks for a reward: its cost is held from their spendable points now.
    Their first redemption waits for approval when the organization asks for it; the
    others are approved at once."""
    require(membership, "rewards.redeem")
    org_id = membership.organization_id
    with transaction.atomic():
        settings_row = settings_of(org_id)
        settings_row = scoped(RewardSettings, org_id).select_for_update().get(pk=settings_row.pk)
        reward = get_scoped(scoped(Reward, org_id).select_for_update(), org_id, pk=reward_id)
        if not reward.active or not visible_to(reward, membership):
            raise DomainError(_("This reward is not offered to you."))
        if reward.stock is not None and reward.stock <= 0:
            raise Conflict(_("This reward is out of stock."))
        now = clock.now()
        month = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date().replace(day=1)
        if settings_row.monthly_budget is not None and (
            month_spent(org_id, month) + reward.cost > settings_row.monthly_budget
        ):
            raise Conflict(_("This month's rewards budget is used up: try again next month."))
        earlier = (
            scoped(Redemption, org_id)
            .filter(
                membership_id=membership.pk,
                status__in=(RedemptionStatus.APPROVED, RedemptionStatus.FULFILLED),
            )
            .exists()
        )
        status = (
            RedemptionStatus.PENDING
            if settings_row.first_needs_approval and not earlier
            else RedemptionStatus.APPROVED
        )
        redemption = Redemption.objects.create(
            organization_id=org_id,
            reward=reward,
            membership=membership,
            cost=reward.cost,
            status=status,
            created_at=now,
            month=month,
            decided_at=now if status == RedemptionStatus.APPROVED else None,
        )
        recognition.points_hold(
            organization_id=org_id,
            membership_id=membership.pk,
            points=reward.cost,
            key=redemption.hold_key,
            source_type="redemption",
            source_id=redemption.pk,
            at=now,
        )
        if reward.stock is not None:
            reward.stock -= 1
            reward.save(update_fields=["stock"])
    return redemption


def _locked(organization_id: int, pk: int) -> Redemption:
    return get_scoped(
        scoped(Redemption, organization_id).select_for_update().select_related("reward"),
        organization_id,
        pk=pk,
    )


def _give_back(redemption: Redemption) -> None:
    """Release the held points and put the item back in stock."""
    org_id = redemption.organization_id
    reward = scoped(Reward, org_id).select_for_update().get(pk=redemption.reward_id)
    recognition.points_release(organization_id=org_id, key=redemption.hold_key)
    if reward.stock is not None:
        reward.stock += 1
        reward.save(update_fields=["stock"])


def _audit(actor: Membership, redemption: Redemption, before: str) -> None:
    gates.audit_record(
        organization=actor.organization,
        actor=actor,
        action=f"rewards.redemption_{redemption.status}",
        object_type="rewards.redemption",
        object_id=redemption.pk,
        before={"status": before},
        after={"status": redemption.status, "reason": redemption.reason},
    )


def _decide(
    actor: Membership, pk: int, allowed: tuple[str, ...], status: str, reason: str = ""
) -> Redemption:
    require(actor, "rewards.fulfil")
    redemption = _locked(actor.organization_id, pk)
    if redemption.status not in allowed:
        raise Conflict(_("This request was already answered."))
    before = redemption.status
    now = clock.now()
    redemption.status = status
    redemption.decided_at = now
    redemption.decided_by = actor
    redemption.reason = reason
    fields = ["status", "decided_at", "decided_by", "reason"]
    if status == RedemptionStatus.FULFILLED:
        redemption.fulfilled_at = now
        fields.append("fulfilled_at")
    redemption.save(update_fields=fields)
    _audit(actor, redemption, before)
    _after_commit(redemption)
    return redemption


@transaction.atomic
def redemption_approve(*, actor: Membership, pk: int) -> Redemption:
    return _decide(actor, pk, (RedemptionStatus.PENDING,), RedemptionStatus.APPROVED)


@transaction.atomic
def redemption_fulfil(*, actor: Membership, pk: int) -> Redemption:
    """Given to the member: the held points stay spent."""
    return _decide(
        actor, pk, (RedemptionStatus.PENDING, RedemptionStatus.APPROVED), RedemptionStatus.FULFILLED
    )


@transaction.atomic
def redemption_refuse(*, actor: Membership, pk: int, reason: str) -> Redemption:
    """Refused with a reason (required, shown to the member): the points come back."""
    require(actor, "rewards.fulfil")
    reason = reason.strip()
    if not reason:
        message = _("Say why the request is refused.")
        raise DomainError(message, field_errors={"reason": [message]})
    redemption = _decide(
        actor,
        pk,
        (RedemptionStatus.PENDING, RedemptionStatus.APPROVED),
        RedemptionStatus.REFUSED,
        reason[:MAX_REASON],
    )
    _give_back(redemption)
    return redemption


@transaction.atomic
def redemption_cancel(*, membership: Membership, pk: int) -> Redemption:
    """The member withdraws their own request while it waits: the points come back.
    Another member's request is NotFound."""
    require(membership, "rewards.redeem")
    redemption = get_scoped(
        scoped(Redemption, membership.organization_id).select_for_update(),
        membership.organization_id,
        pk=pk,
        membership_id=membership.pk,
    )
    if redemption.status != RedemptionStatus.PENDING:
        raise Conflict(_("Only a request that waits for approval can be cancelled."))
    redemption.status = RedemptionStatus.CANCELLED
    redemption.decided_at = clock.now()
    redemption.save(update_fields=["status", "decided_at"])
    _give_back(redemption)
    return redemption
