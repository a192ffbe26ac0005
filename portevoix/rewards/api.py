"""API router of the rewards catalogue (the `rewards` area): what /rewards/ offers to a
member (the catalogue with their spendable points, ask for a reward, their requests, cancel
one that waits) and to those who answer the requests (`rewards.fulfil`: the queue,
approve, mark given, refuse with a reason). The same selectors and services as the pages:
another organization's reward or request is a 404, another member's request too. The
catalogue's settings and rewards are edited on the pages (config/api_coverage.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic.json_schema import JsonDict

from portevoix.accounts.permissions import require
from portevoix.core.api_support import BodyId, DbId, StrictBool, StrictInt, Text, responses
from portevoix.core.api_support import membership as api_membership

from . import selectors, services
from .models import Redemption, RedemptionStatus, Reward, RewardKind, RewardSettings
from .services.catalogue import MAX_COST
from .services.redemptions import MAX_REASON

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["rewards"])

MAX_POSITIVE = 2_000_000_000  # below the columns' limit (PositiveIntegerField)
MAX_BUDGET = MAX_POSITIVE
STATUS_ENUM: JsonDict = {"enum": list(RedemptionStatus.values)}
KIND_ENUM: JsonDict = {"enum": list(RewardKind.values)}


class RewardOfferOut(Schema):
    id: int
    kind: str = Field(..., json_schema_extra=KIND_ENUM)
    title: str
    description: str
    cost: int = Field(..., description="In points")
    stock: int | None = Field(..., description="null: unlimited")
    affordable: bool
    in_stock: bool


class RewardCatalogueOut(Schema):
    balance: int = Field(..., description="The caller's spendable points")
    needs_approval: bool = Field(..., description="The caller's next request waits for an admin")
    offers: list[RewardOfferOut]


class RedemptionOut(Schema):
    id: int
    reward_id: int
    reward: str
    member_id: int
    cost: int
    status: str = Field(..., json_schema_extra=STATUS_ENUM)
    reason: str = Field(..., description="Why it was refused")
    created_at: dt.datetime
    decided_at: dt.datetime | None
    fulfilled_at: dt.datetime | None


class RedemptionRefuseIn(Schema):
    reason: Text = Field(
        ..., min_length=1, max_length=MAX_REASON, description="Shown to the member"
    )


def _membership(request: HttpRequest) -> Membership:
    return cast("Membership", api_membership(request))


def _redemption_out(r: Redemption) -> RedemptionOut:
    return RedemptionOut(
        id=r.pk,
        reward_id=r.reward_id,
        reward=r.reward.title,
        member_id=r.membership_id,
        cost=r.cost,
        status=r.status,
        reason=r.reason,
        created_at=r.created_at,
        decided_at=r.decided_at,
        fulfilled_at=r.fulfilled_at,
    )


def _mine(membership: Membership, pk: int) -> RedemptionOut:
    redemption = selectors.my_redemption(membership=membership, pk=pk)
    return _redemption_out(redemption)


def _answered(membership: Membership, pk: int) -> RedemptionOut:
    return _redemption_out(selectors.redemption_to_answer(membership=membership, pk=pk))


# --- The member


@router.get("/rewards", response=responses({200: RewardCatalogueOut}))
def catalogue(request: HttpRequest) -> RewardCatalogueOut:
    """The rewards offered to the caller, cheapest first, with what they can afford."""
    found = selectors.catalogue(membership=_membership(request))
    return RewardCatalogueOut(
        balance=found.balance,
        needs_approval=found.needs_approval,
        offers=[
            RewardOfferOut(
                id=o.reward.pk,
                kind=o.reward.kind,
                title=o.reward.title,
                description=o.reward.description,
                cost=o.reward.cost,
                stock=o.reward.stock,
                affordable=o.affordable,
                in_stock=o.in_stock,
            )
            for o in found.offers
        ],
    )


@router.post("/rewards/{reward_id}/redeem", response=responses({201: RedemptionOut}))
def redeem(request: HttpRequest, reward_id: DbId) -> Status[RedemptionOut]:
    """Ask for a reward: its cost is held from your points now. Approved at once, or
    waiting (`pending`) when the organization approves first requests."""
    membership = _membership(request)
    require(membership, "rewards.redeem")
    selectors.reward_of(membership=membership, pk=reward_id)  # another organization: 404
    redemption = services.redemption_request(membership=membership, reward_id=reward_id)
    return Status(201, _mine(membership, redemption.pk))


@router.get("/rewards/redemptions/mine", response=responses({200: list[RedemptionOut]}))
def my_redemptions(request: HttpRequest) -> list[RedemptionOut]:
    """Your requests, newest first."""
    return [_redemption_out(r) for r in selectors.my_redemptions(membership=_membership(request))]


@router.post(
    "/rewards/redemptions/{redemption_id}/cancel", response=responses({200: RedemptionOut})
)
def redemption_cancel(request: HttpRequest, redemption_id: DbId) -> RedemptionOut:
    """Withdraw your request while it waits: the points come back (409 once answered)."""
    membership = _membership(request)
    require(membership, "rewards.redeem")
    selectors.my_redemption(membership=membership, pk=redemption_id)  # anyone else's: 404
    services.redemption_cancel(membership=membership, pk=redemption_id)
    return _mine(membership, redemption_id)


# --- Those who answer


@router.get("/rewards/redemptions", response=responses({200: list[RedemptionOut]}))
def redemption_queue(request: HttpRequest) -> list[RedemptionOut]:
    """The requests to answer (waiting, then approved but not given), oldest first."""
    return [_redemption_out(r) for r in selectors.queue(membership=_membership(request))]


@router.post(
    "/rewards/redemptions/{redemption_id}/approve", response=responses({200: RedemptionOut})
)
def redemption_approve(request: HttpRequest, redemption_id: DbId) -> RedemptionOut:
    membership = _membership(request)
    selectors.redemption_to_answer(membership=membership, pk=redemption_id)
    services.redemption_approve(actor=membership, pk=redemption_id)
    return _answered(membership, redemption_id)


@router.post(
    "/rewards/redemptions/{redemption_id}/fulfil", response=responses({200: RedemptionOut})
)
def redemption_fulfil(request: HttpRequest, redemption_id: DbId) -> RedemptionOut:
    """Mark it given."""
    membership = _membership(request)
    selectors.redemption_to_answer(membership=membership, pk=redemption_id)
    services.redemption_fulfil(actor=membership, pk=redemption_id)
    return _answered(membership, redemption_id)


@router.post(
    "/rewards/redemptions/{redemption_id}/refuse", response=responses({200: RedemptionOut})
)
def redemption_refuse(
    request: HttpRequest, redemption_id: DbId, payload: RedemptionRefuseIn
) -> RedemptionOut:
    """Refuse with a reason (shown to the member): the points come back."""
    membership = _membership(request)
    selectors.redemption_to_answer(membership=membership, pk=redemption_id)
    services.redemption_refuse(actor=membership, pk=redemption_id, reason=payload.reason)
    return _answered(membership, redemption_id)


# --- The catalogue's settings and rewards (`rewards.manage`)


class RewardSettingsIn(Schema):
    monthly_budget: StrictInt | None = Field(
        None, ge=0, le=MAX_BUDGET, description="Points a month; null: no budget"
    )
    first_needs_approval: StrictBool = Field(..., description="A member's first request waits")
    of_value: StrictBool = Field(
        ..., description="Rewards of value: shares must carry the disclosure"
    )
    disclosure: Text = Field("", max_length=60, description="Required when `of_value`")


class RewardSettingsOut(Schema):
    monthly_budget: int | None
    first_needs_approval: bool
    of_value: bool
    disclosure: str


class RewardIn(Schema):
    """A reward, whole (PUT replaces every field)."""

    kind: Text = Field(..., max_length=20, json_schema_extra=KIND_ENUM)
    title: Text = Field(..., min_length=1, max_length=200)
    description: Text = Field("", max_length=100_000)
    cost: StrictInt = Field(..., ge=1, le=MAX_COST, description="In points")
    stock: StrictInt | None = Field(
        None, ge=0, le=MAX_POSITIVE, description="What is left; null: unlimited"
    )
    team_ids: list[BodyId] = Field([], max_length=100, description="Empty: everyone")
    active: StrictBool = True


class RewardOut(Schema):
    id: int
    kind: str = Field(..., json_schema_extra=KIND_ENUM)
    title: str
    description: str
    cost: int
    stock: int | None
    team_ids: list[int]
    active: bool


def _reward_out(reward: Reward) -> RewardOut:
    return RewardOut(
        id=reward.pk,
        kind=reward.kind,
        title=reward.title,
        description=reward.description,
        cost=reward.cost,
        stock=reward.stock,
        team_ids=selectors.reward_team_ids(reward),
        active=reward.active,
    )


def _settings_out(row: RewardSettings) -> RewardSettingsOut:
    return RewardSettingsOut(
        monthly_budget=row.monthly_budget,
        first_needs_approval=row.first_needs_approval,
        of_value=row.of_value,
        disclosure=row.disclosure,
    )


@router.get("/rewards/settings", response=responses({200: RewardSettingsOut}))
def settings_detail(request: HttpRequest) -> RewardSettingsOut:
    return _settings_out(selectors.reward_settings(membership=_membership(request)))


@router.put("/rewards/settings", response=responses({200: RewardSettingsOut}))
def settings_update(request: HttpRequest, payload: RewardSettingsIn) -> RewardSettingsOut:
    """The monthly budget, approval of first requests, rewards of value and their
    disclosure; audited."""
    row = services.settings_update(
        actor=_membership(request),
        data=services.SettingsData(
            monthly_budget=payload.monthly_budget,
            first_needs_approval=payload.first_needs_approval,
            of_value=payload.of_value,
            disclosure=payload.disclosure,
        ),
    )
    return _settings_out(row)


@router.get("/rewards/catalogue", response=responses({200: list[RewardOut]}))
def reward_list(request: HttpRequest) -> list[RewardOut]:
    """Every reward, active first, for editing (a member's view is GET /rewards)."""
    return [_reward_out(r) for r in selectors.rewards_to_edit(membership=_membership(request))]


def _reward_data(payload: RewardIn) -> services.RewardData:
    return services.RewardData(
        kind=payload.kind,
        title=payload.title,
        cost=payload.cost,
        description=payload.description,
        stock=payload.stock,
        team_ids=list(payload.team_ids),
        active=payload.active,
    )


@router.post("/rewards/catalogue", response=responses({201: RewardOut}))
def reward_create(request: HttpRequest, payload: RewardIn) -> Status[RewardOut]:
    reward = services.reward_save(actor=_membership(request), data=_reward_data(payload))
    return Status(201, _reward_out(reward))


@router.put("/rewards/catalogue/{reward_id}", response=responses({200: RewardOut}))
def reward_update(request: HttpRequest, reward_id: DbId, payload: RewardIn) -> RewardOut:
    """Change a reward (its stock is what is left); requests already made keep their cost."""
    membership = _membership(request)
    selectors.reward_to_edit(membership=membership, pk=reward_id)  # 403, or 404
    reward = services.reward_save(actor=membership, data=_reward_data(payload), pk=reward_id)
    return _reward_out(reward)
