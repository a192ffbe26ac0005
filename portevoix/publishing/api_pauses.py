"""The API's publishing area, continued: crisis pauses (list, start, end, what a pause holds)
and the posting rhythm. Split from publishing/api.py; config/api.py mounts both."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from portevoix.accounts.permissions import require
from portevoix.core.api_support import (
    BodyId,
    DbId,
    StrictInt,
    Text,
    responses,
)
from portevoix.core.networks import Network

from . import selectors, services
from .api import (
    GAP_BOUNDS,
    MAX_HELD_IDS,
    MAX_PER_DAY_BOUNDS,
    MAX_REASON,
    NETWORK_ENUM,
    NetworkPath,
    _membership,
)
from .models import (
    CrisisPause,
)

router = Router(tags=["publishing"])


class CampaignRefOut(Schema):
    id: int
    name: str


class PauseOut(Schema):
    id: int
    reason: str
    campaign: CampaignRefOut | None = Field(description="None: the whole organization")
    started_at: dt.datetime
    started_by_id: int | None
    ended_at: dt.datetime | None
    ended_by_id: int | None
    held: int = Field(description="Posts this pause holds, waiting for a decision")


class PausesOut(Schema):
    active: list[PauseOut]
    recent: list[PauseOut] = Field(description="The last ended pauses, newest first")


class PauseIn(Schema):
    reason: Text = Field(
        ..., min_length=1, max_length=MAX_REASON, description="Shown to the ambassadors"
    )
    campaign_id: BodyId | None = Field(None, description="Only this campaign's posts")


class HeldIn(Schema):
    decision: Literal["release", "cancel"] = Field(
        ..., description="`release`: publish now; `cancel`: never"
    )
    post_ids: list[BodyId] | None = Field(
        None, max_length=MAX_HELD_IDS, description="Omitted: every post the pause holds"
    )


class HeldOut(Schema):
    count: int = Field(description="Posts released or cancelled")


def _pause_out(pause: CrisisPause, organization_id: int) -> PauseOut:
    campaign = pause.campaign
    return PauseOut(
        id=pause.pk,
        reason=pause.reason,
        campaign=None if campaign is None else CampaignRefOut(id=campaign.pk, name=campaign.name),
        started_at=pause.started_at,
        started_by_id=pause.started_by_id,
        ended_at=pause.ended_at,
        ended_by_id=pause.ended_by_id,
        held=len(selectors.held_posts(organization_id, pause.pk)),
    )


@router.get("/publishing/pauses", response=responses({200: PausesOut}))
def pause_list(request: HttpRequest) -> PausesOut:
    """Active pauses and the recent ones, with the posts each holds (publishing.pause)."""
    membership = _membership(request)
    require(membership, "publishing.pause")
    org_id = membership.organization_id
    return PausesOut(
        active=[_pause_out(p, org_id) for p in selectors.active_pauses(org_id)],
        recent=[_pause_out(p, org_id) for p in selectors.recent_pauses(org_id)],
    )


@router.post("/publishing/pauses", response=responses({201: PauseOut}))
def pause_start(request: HttpRequest, payload: PauseIn) -> Status[PauseOut]:
    """Stop every scheduled publication of the organization (or of one campaign) now.
    What comes due meanwhile is held (publishing.pause)."""
    membership = _membership(request)
    pause = services.pause_start(
        actor=membership, reason=payload.reason, campaign_id=payload.campaign_id
    )
    return Status(201, _pause_out(pause, membership.organization_id))


@router.post("/publishing/pauses/{pause_id}/end", response=responses({200: PauseOut}))
def pause_end(request: HttpRequest, pause_id: DbId) -> PauseOut:
    """Resume publishing. Held posts stay held until you release or cancel them."""
    membership = _membership(request)
    pause = services.pause_end(actor=membership, pause_id=pause_id)
    return _pause_out(pause, membership.organization_id)


@router.post("/publishing/pauses/{pause_id}/held", response=responses({200: HeldOut}))
def held_decide(request: HttpRequest, pause_id: DbId, payload: HeldIn) -> HeldOut:
    """After a pause ended (409 before): release the held posts (publish now) or cancel
    them."""
    count = services.held_decide(
        actor=_membership(request),
        pause_id=pause_id,
        post_ids=payload.post_ids,
        release=payload.decision == "release",
    )
    return HeldOut(count=count)


# --- Posting rhythm


class CadenceOut(Schema):
    network: str = Field(json_schema_extra=NETWORK_ENUM)
    max_per_day: int = Field(
        description="Posts a day per ambassador; 0: no limit", json_schema_extra=MAX_PER_DAY_BOUNDS
    )
    min_gap_minutes: int = Field(
        description="Minutes between two posts; 0: none", json_schema_extra=GAP_BOUNDS
    )


class CadenceIn(Schema):
    # Ranges are checked by the service (a translated 400 with field errors); the schema
    # states them. Numbers must be JSON numbers: `false` or `"3"` is a 422.
    max_per_day: StrictInt = Field(
        ..., description="0 to 100; 0: no limit", json_schema_extra=MAX_PER_DAY_BOUNDS
    )
    min_gap_minutes: StrictInt = Field(
        ..., description="0 to 10,080 (a week); 0: none", json_schema_extra=GAP_BOUNDS
    )


@router.get("/publishing/cadence", response=responses({200: list[CadenceOut]}))
def cadence_list(request: HttpRequest) -> list[CadenceOut]:
    """The organization's posting rhythm, per network (publishing.cadence)."""
    membership = _membership(request)
    require(membership, "publishing.cadence")
    rules = selectors.cadence_rules(membership.organization_id)
    out = []
    for code in Network.ALL:
        rule = rules.get(code)
        out.append(
            CadenceOut(
                network=code,
                max_per_day=rule.max_per_day if rule else 0,
                min_gap_minutes=rule.min_gap_minutes if rule else 0,
            )
        )
    return out


@router.put("/publishing/cadence/{network}", response=responses({200: CadenceOut}))
def cadence_set(request: HttpRequest, network: NetworkPath, payload: CadenceIn) -> CadenceOut:
    """Set a network's rhythm for every ambassador; both at 0 removes the rule
    (publishing.cadence)."""
    rule = services.cadence_set(
        actor=_membership(request),
        network=network,
        max_per_day=payload.max_per_day,
        min_gap_minutes=payload.min_gap_minutes,
    )
    return CadenceOut(
        network=network,
        max_per_day=rule.max_per_day if rule else 0,
        min_gap_minutes=rule.min_gap_minutes if rule else 0,
    )
