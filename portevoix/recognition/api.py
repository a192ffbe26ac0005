"""API router of recognition: the same selectors as the pages, so the same boards.
GET /recognition/board (period, team_id), /recognition/teams (period), /recognition/me.
Whoever chose "not at all" is never in an answer but their own (`/recognition/me`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime
from pydantic.json_schema import JsonDict

from portevoix.accounts.permissions import require
from portevoix.core.api_support import BodyId, Day, DbId, StrictBool, StrictInt, Text, responses
from portevoix.core.api_support import membership as api_membership
from portevoix.core.errors import DomainError, NotFound

from . import selectors, services
from .badge_kinds import CUSTOM_COUNTERS
from .models import Badge, BadgeColor, BadgeShape, FairPlayFlag
from .services.badges import MAX_THRESHOLD
from .services.challenges import MAX_BONUS, MAX_TARGET
from .services.fairplay import LIMITS
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


# --- Badges of the organization (`recognition.challenges`)


class BadgeIn(Schema):
    name: Text = Field(..., min_length=1, max_length=80)
    description: Text = Field("", max_length=200)
    counter: Text = Field(
        ...,
        max_length=40,
        json_schema_extra={"enum": [code for code, _label in CUSTOM_COUNTERS]},
        description="What it counts: a rule's events, or `points`",
    )
    threshold: StrictInt = Field(..., ge=1, le=MAX_THRESHOLD)
    shape: Text = Field(..., max_length=20, json_schema_extra={"enum": list(BadgeShape.values)})
    color: Text = Field(..., max_length=20, json_schema_extra={"enum": list(BadgeColor.values)})


class BadgeActiveIn(Schema):
    active: StrictBool = Field(..., description="false retires it (who holds it keeps it)")


class BadgeOut(Schema):
    id: int
    name: str
    description: str
    counter: str
    threshold: int
    shape: str
    color: str
    active: bool


def _badge_out(badge: Badge) -> BadgeOut:
    return BadgeOut(
        id=badge.pk,
        name=badge.name,
        description=badge.description,
        counter=badge.counter,
        threshold=badge.threshold,
        shape=badge.shape,
        color=badge.color,
        active=badge.active,
    )


@router.post("/recognition/badges", response=responses({201: BadgeOut}))
def badge_create(request: HttpRequest, payload: BadgeIn) -> Status[BadgeOut]:
    """The organization's own badge: who reaches `threshold` of `counter` earns it."""
    badge = services.badge_create(
        actor=_membership(request),
        name=payload.name,
        description=payload.description,
        counter=payload.counter,
        threshold=payload.threshold,
        shape=payload.shape,
        color=payload.color,
    )
    return Status(201, _badge_out(badge))


@router.put("/recognition/badges/{badge_id}/active", response=responses({200: BadgeOut}))
def badge_active(request: HttpRequest, badge_id: DbId, payload: BadgeActiveIn) -> BadgeOut:
    """Retire a badge or bring it back."""
    membership = _membership(request)
    require(membership, "recognition.challenges")
    badge = selectors.badge_to_manage(membership=membership, pk=badge_id)  # others': 404
    badge = services.badge_set_active(actor=membership, badge_id=badge.pk, active=payload.active)
    return _badge_out(badge)


# --- Fair play and recounts (administrators)


class FairPlaySettingsIn(Schema):
    burst_shares: StrictInt = Field(..., ge=LIMITS["burst_shares"][0], le=LIMITS["burst_shares"][1])
    burst_minutes: StrictInt = Field(
        ..., ge=LIMITS["burst_minutes"][0], le=LIMITS["burst_minutes"][1]
    )
    same_text_people: StrictInt = Field(
        ..., ge=LIMITS["same_text_people"][0], le=LIMITS["same_text_people"][1]
    )
    same_text_hours: StrictInt = Field(
        ..., ge=LIMITS["same_text_hours"][0], le=LIMITS["same_text_hours"][1]
    )


class FairPlaySettingsOut(Schema):
    burst_shares: int
    burst_minutes: int
    same_text_people: int
    same_text_hours: int


@router.put("/recognition/fair-play/settings", response=responses({200: FairPlaySettingsOut}))
def fairplay_settings_set(request: HttpRequest, payload: FairPlaySettingsIn) -> FairPlaySettingsOut:
    """The thresholds of the fair-play checks (`recognition.manage`), for shares from now on."""
    row = services.fairplay_settings_set(
        actor=_membership(request), thresholds=services.Thresholds(**payload.model_dump())
    )
    return FairPlaySettingsOut(
        burst_shares=row.burst_shares,
        burst_minutes=row.burst_minutes,
        same_text_people=row.same_text_people,
        same_text_hours=row.same_text_hours,
    )


class FlagOut(Schema):
    id: int
    kind: str
    status: str
    member_ids: list[int]
    first_at: dt.datetime
    last_at: dt.datetime
    reason: str
    points_reversed: int


class FlagReviewIn(Schema):
    decision: Literal["confirm", "dismiss"]
    reason: Text = Field("", max_length=1000, description="Required to confirm; shown to them")
    reverse_points: StrictBool = Field(False, description="On confirm: take the points back")


def _flag_out(flag: FairPlayFlag) -> FlagOut:
    return FlagOut(
        id=flag.pk,
        kind=flag.kind,
        status=flag.status,
        member_ids=sorted(m.pk for m in flag.members.all()),
        first_at=flag.first_at,
        last_at=flag.last_at,
        reason=flag.reason,
        points_reversed=flag.points_reversed,
    )


class FlagQuery(Schema):
    status: Literal["open", "confirmed", "dismissed"] = "open"


@router.get("/recognition/fair-play/flags", response=responses({200: list[FlagOut]}))
def flag_list(request: HttpRequest, filters: Query[FlagQuery]) -> list[FlagOut]:
    """The fair-play flags of one status, newest first (`recognition.fairplay`)."""
    membership = _membership(request)
    require(membership, "recognition.fairplay")
    rows = selectors.fairplay_flags(membership=membership, status=filters.status)
    return [_flag_out(f) for f in rows]


@router.post("/recognition/fair-play/flags/{flag_id}/review", response=responses({200: FlagOut}))
def flag_review(request: HttpRequest, flag_id: DbId, payload: FlagReviewIn) -> FlagOut:
    """Confirm a flag (with a reason; optionally reversing the points) or dismiss it."""
    membership = _membership(request)
    require(membership, "recognition.fairplay")
    if payload.decision == "confirm":
        flag = services.flag_confirm(
            actor=membership,
            flag_id=flag_id,
            reason=payload.reason,
            reverse_points=payload.reverse_points,
        )
    else:
        flag = services.flag_dismiss(actor=membership, flag_id=flag_id, reason=payload.reason)
    return _flag_out(flag)


class RecountIn(Schema):
    since: Day = Field(..., description="Value again the events from this day")


class RecountOut(Schema):
    id: int
    since: dt.date
    entries_changed: int
    points_delta: int


@router.post("/recognition/recounts", response=responses({201: RecountOut}))
def recount(request: HttpRequest, payload: RecountIn) -> Status[RecountOut]:
    """Value again the awards from `since` with today's rules (`recognition.manage`); the
    recount is recorded."""
    done = services.points_recount(actor=_membership(request), since=payload.since)
    return Status(
        201,
        RecountOut(
            id=done.pk,
            since=done.since,
            entries_changed=done.entries_changed,
            points_delta=done.points_delta,
        ),
    )


# --- Challenges (`recognition.challenges`)


class ChallengeIn(Schema):
    title: Text = Field(..., min_length=1, max_length=120)
    description: Text = Field("", max_length=500)
    metric: Literal["shares", "original_posts", "clicks", "points"]
    target: StrictInt = Field(..., ge=1, le=MAX_TARGET)
    starts_at: AwareDatetime = Field(..., description="ISO 8601 with a time zone")
    ends_at: AwareDatetime = Field(..., description="After the start")
    scope: Literal["organization", "team", "campaign"]
    team_id: BodyId | None = Field(None, description="For the scope `team`")
    campaign_id: BodyId | None = Field(None, description="For the scope `campaign`")
    min_score: StrictInt = Field(1, ge=0, le=MAX_TARGET, description="To earn the bonus")
    bonus_points: StrictInt = Field(0, ge=0, le=MAX_BONUS)


class ChallengeCreatedOut(Schema):
    id: int
    title: str
    metric: str
    target: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    scope: str
    team_id: int | None
    campaign_id: int | None
    min_score: int
    bonus_points: int


# The service names the form's fields; the API's are the ids.
_CHALLENGE_FIELDS = {"team": "team_id", "campaign": "campaign_id"}


@router.post("/recognition/challenges", response=responses({201: ChallengeCreatedOut}))
def challenge_create(request: HttpRequest, payload: ChallengeIn) -> Status[ChallengeCreatedOut]:
    """A new challenge for the organization, a team or a campaign; it counts the events
    from its start."""
    try:
        challenge = services.challenge_create(
            actor=_membership(request),
            data=services.ChallengeData(
                title=payload.title,
                description=payload.description,
                metric=payload.metric,
                target=payload.target,
                starts_at=payload.starts_at,
                ends_at=payload.ends_at,
                scope=payload.scope,
                team_id=payload.team_id,
                campaign_id=payload.campaign_id,
                min_score=payload.min_score,
                bonus_points=payload.bonus_points,
            ),
        )
    except DomainError as exc:
        exc.field_errors = {_CHALLENGE_FIELDS.get(k, k): v for k, v in exc.field_errors.items()}
        raise
    return Status(
        201,
        ChallengeCreatedOut(
            id=challenge.pk,
            title=challenge.title,
            metric=challenge.metric,
            target=challenge.target,
            starts_at=challenge.starts_at,
            ends_at=challenge.ends_at,
            scope=challenge.scope,
            team_id=challenge.team_id,
            campaign_id=challenge.campaign_id,
            min_score=challenge.min_score,
            bonus_points=challenge.bonus_points,
        ),
    )
