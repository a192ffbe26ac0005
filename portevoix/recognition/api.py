"""API router of recognition: the same selectors as the pages, so the same boards.
GET /recognition/board (period, team_id), /recognition/teams (period), /recognition/me.
Whoever chose "not at all" is never in an answer but their own (`/recognition/me`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic.json_schema import JsonDict

from portevoix.accounts.permissions import require
from portevoix.core.api_support import DbId, Text, responses
from portevoix.core.api_support import membership as api_membership
from portevoix.core.errors import NotFound

from . import selectors, services
from .services.preferences import MAX_PSEUDONYM

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["recognition"])

PeriodCode = Literal["week", "month", "quarter", "all"]


def _membership(request: HttpRequest) -> Membership:
    membership = cast("Membership", api_membership(request))
    require(membership, "recognition.view")
    return membership


class BoardParams(Schema):
    period: PeriodCode = Field("month", description="week, month, quarter or all (time)")
    team_id: DbId | None = Field(None, description="One team's board (another's: 404)")


class BoardRowOut(Schema):
    rank: int
    name: str = Field(description="The person's name, or their pseudonym, as they chose")
    points: int
    is_me: bool
    pseudonymous: bool


class TeamRowOut(Schema):
    rank: int
    team_id: int
    name: str
    members: int
    points: int
    average: float


class StandingOut(Schema):
    period: PeriodCode
    points: int
    rank: int | None
    visibility: str


class RecognitionMeOut(Schema):
    lifetime: int
    spendable: int
    standings: list[StandingOut]


@router.get("/recognition/board", response=responses({200: list[BoardRowOut]}))
def board(request: HttpRequest, params: Query[BoardParams]) -> list[BoardRowOut]:
    """The top 50 of the period (ties share a rank), as each person chose to appear."""
    membership = _membership(request)
    if params.team_id is not None and params.team_id not in dict(
        selectors.teams(membership=membership)
    ):
        raise NotFound(_("Not found."))
    rows = selectors.board(membership=membership, period=params.period, team_id=params.team_id)
    return [BoardRowOut(**row.__dict__) for row in rows]


@router.get("/recognition/teams", response=responses({200: list[TeamRowOut]}))
def teams(request: HttpRequest, period: PeriodCode = "month") -> list[TeamRowOut]:
    """Teams by the average points of their active members (teams under 3 not ranked)."""
    rows = selectors.team_board(membership=_membership(request), period=period)
    return [TeamRowOut(**row.__dict__) for row in rows]


@router.get("/recognition/me", response=responses({200: RecognitionMeOut}))
def me(request: HttpRequest) -> RecognitionMeOut:
    """Your own points and rank in each period, whatever you chose to show others."""
    membership = _membership(request)
    lifetime, spendable = selectors.balance(membership=membership)
    standings = []
    for period in ("week", "month", "quarter", "all"):
        standing = selectors.standing(membership=membership, period=period)
        standings.append(
            StandingOut(
                period=cast("PeriodCode", period),
                points=standing.points,
                rank=standing.rank,
                visibility=standing.visibility,
            )
        )
    return RecognitionMeOut(lifetime=lifetime, spendable=spendable, standings=standings)


VISIBILITY_ENUM: JsonDict = {"enum": ["name", "pseudonym", "hidden"]}


class VisibilityIn(Schema):
    visibility: Text = Field(
        ...,
        max_length=20,
        json_schema_extra=VISIBILITY_ENUM,
        description="How others see you on the boards, dashboards, exports and the API",
    )
    pseudonym: Text = Field("", max_length=MAX_PSEUDONYM, description="For `pseudonym`")


class VisibilityOut(Schema):
    visibility: str = Field(..., json_schema_extra=VISIBILITY_ENUM)
    pseudonym: str


@router.put("/recognition/me/visibility", response=responses({200: VisibilityOut}))
def visibility_set(request: HttpRequest, payload: VisibilityIn) -> VisibilityOut:
    """Your own choice, as on your recognition page: by name, under a pseudonym, or not at
    all. Your own pages and `GET /recognition/me` always show you your figures."""
    profile = services.preference_set(
        membership=_membership(request), visibility=payload.visibility, pseudonym=payload.pseudonym
    )
    return VisibilityOut(visibility=profile.visibility, pseudonym=profile.pseudonym)
