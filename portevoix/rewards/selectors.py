"""Reads of rewards: the catalogue as a member sees it, their redemptions, the queue, the
catalogue to edit, the settings and the month's budget. Constant queries per page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings as django_settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.tenancy import get_scoped, scoped
from portevoix.governance import gates
from portevoix.recognition import selectors as recognition_selectors

from .models import Redemption, RedemptionStatus, Reward, RewardSettings
from .services.catalogue import settings_of
from .services.redemptions import month_spent

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@dataclass(frozen=True)
class Offer:
    reward: Reward
    affordable: bool
    in_stock: bool

    @property
    def available(self) -> bool:
        return self.affordable and self.in_stock


@dataclass(frozen=True)
class Catalogue:
    balance: int
    offers: list[Offer]
    needs_approval: bool  # the member's next request waits for an administrator


def _visible_q(membership: Membership) -> Q:
    mine = account_selectors.teams_by_member([membership.pk]).get(membership.pk, [])
    return Q(teams__isnull=True) | Q(teams__in=mine)


def catalogue(*, membership: Membership) -> Catalogue:
    """The active rewards offered to the member (no team, or one of theirs), cheapest
    first, with what they can afford now."""
    require(membership, "rewards.redeem")
    _lifetime, balance = recognition_selectors.balance(membership=membership)
    rewards = (
        scoped(Reward, membership.organization_id)
        .filter(_visible_q(membership), active=True)
        .distinct()
        .order_by("cost", "title", "pk")
    )
    offers = [
        Offer(
            reward=reward,
            affordable=reward.cost <= balance,
            in_stock=reward.stock is None or reward.stock > 0,
        )
        for reward in rewards
    ]
    row = settings_of(membership.organization_id)
    earlier = (
        scoped(Redemption, membership.organization_id)
        .filter(
            membership_id=membership.pk,
            status__in=(RedemptionStatus.APPROVED, RedemptionStatus.FULFILLED),
        )
        .exists()
    )
    return Catalogue(
        balance=balance, offers=offers, needs_approval=row.first_needs_approval and not earlier
    )


def my_redemptions(*, membership: Membership, limit: int = 100) -> list[Redemption]:
    require(membership, "rewards.redeem")
    return list(
        scoped(Redemption, membership.organization_id)
        .filter(membership_id=membership.pk)
        .select_related("reward")
        .order_by("-created_at", "-pk")[:limit]
    )


QUEUE_STATUSES = (RedemptionStatus.PENDING, RedemptionStatus.APPROVED)


def queue(*, membership: Membership, limit: int = 200) -> list[Redemption]:
    """The requests still to answer (waiting, then approved but not yet given), oldest
    first, with the member's name (the administrators know who asked)."""
    require(membership, "rewards.fulfil")
    return list(
        scoped(Redemption, membership.organization_id)
        .filter(status__in=QUEUE_STATUSES)
        .select_related("reward", "membership__user")
        .order_by("status", "created_at", "pk")[:limit]
    )


def recent_answers(*, membership: Membership, limit: int = 30) -> list[Redemption]:
    require(membership, "rewards.fulfil")
    return list(
        scoped(Redemption, membership.organization_id)
        .exclude(status__in=QUEUE_STATUSES)
        .select_related("reward", "membership__user")
        .order_by("-decided_at", "-pk")[:limit]
    )


def rewards_to_edit(*, membership: Membership) -> QuerySet[Reward]:
    require(membership, "rewards.manage")
    return (
        scoped(Reward, membership.organization_id)
        .prefetch_related("teams")
        .order_by("-active", "cost", "title", "pk")
    )


def reward_to_edit(*, membership: Membership, pk: int) -> Reward:
    require(membership, "rewards.manage")
    return get_scoped(Reward, membership.organization_id, pk=pk)


def reward_team_ids(reward: Reward) -> list[int]:
    return list(reward.teams.values_list("pk", flat=True))


def teams(*, membership: Membership) -> list[tuple[int, str]]:
    return list(
        account_selectors.organization_teams(organization_id=membership.organization_id)
        .order_by("name")
        .values_list("pk", "name")
    )


def reward_settings(*, membership: Membership) -> RewardSettings:
    require(membership, "rewards.manage")
    return settings_of(membership.organization_id)


@dataclass(frozen=True)
class Budget:
    limit: int | None
    spent: int

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.spent)


def this_month(now: dt.datetime | None = None) -> dt.date:
    now = now or clock.now()
    return now.astimezone(ZoneInfo(django_settings.TIME_ZONE)).date().replace(day=1)


def budget(*, membership: Membership) -> Budget:
    """The month's budget and the points held or spent against it."""
    require(membership, "rewards.fulfil")
    row = settings_of(membership.organization_id)
    return Budget(row.monthly_budget, month_spent(membership.organization_id, this_month()))


def incentive_disclosure(organization: object) -> gates.RequiredDisclosure | None:
    """The hook of governance's guardrails (`settings.GUARDRAIL_DISCLOSURE_PROVIDERS`): the
    disclosure every share must carry when the organization's rewards are of value (docs/
    decisions/0006-incentive-disclosure.md), else None."""
    organization_id = getattr(organization, "pk", organization)
    row = scoped(RewardSettings, organization_id).filter(of_value=True).first()
    if row is None or not row.disclosure:
        return None
    return gates.RequiredDisclosure(
        disclosures={"*": row.disclosure},
        reason=_(
            "Your organization rewards shares with points you can exchange for rewards of "
            "value: the law asks that your posts say so, so %(disclosure)s is added to them."
        )
        % {"disclosure": row.disclosure},
    )


def reward_of(*, membership: Membership, pk: int) -> Reward:
    """A reward of the member's organization (another organization's: NotFound)."""
    return get_scoped(Reward, membership.organization_id, pk=pk)


def my_redemption(*, membership: Membership, pk: int) -> Redemption:
    """The member's own redemption (anyone else's: NotFound)."""
    return get_scoped(Redemption, membership.organization_id, pk=pk, membership_id=membership.pk)


def redemption_to_answer(*, membership: Membership, pk: int) -> Redemption:
    require(membership, "rewards.fulfil")
    return get_scoped(Redemption, membership.organization_id, pk=pk)


def decided_redemption(*, organization_id: int, redemption_id: int) -> Redemption:
    """A redemption with its reward, for the notice to its member (notifications)."""
    return get_scoped(
        scoped(Redemption, organization_id).select_related("reward"),
        organization_id,
        pk=redemption_id,
    )


def my_data(membership: Membership) -> dict[str, list[dict[str, Any]]]:
    """The member's reward requests ("My data" page and archive, privacy)."""
    rows = [
        {
            "reward": r.reward.title,
            "cost": r.cost,
            "status": r.status,
            "created_at": r.created_at,
            "decided_at": r.decided_at,
            "fulfilled_at": r.fulfilled_at,
        }
        for r in scoped(Redemption, membership.organization_id)
        .filter(membership=membership)
        .select_related("reward")
        .order_by("created_at", "id")
    ]
    return {"reward_requests": rows}
