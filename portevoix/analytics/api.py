"""API router of the dashboards: the same selectors, so the same figures as the pages.

GET /analytics/summary, /analytics/breakdown/{dimension}, /analytics/timeseries, with the
dashboard's parameters: start, end (inclusive, YYYY-MM-DD; default: the last 30 days),
campaign_id, team_id, network, and `scope` ("org", or "own" for one's own figures; none:
the organization's when allowed, else one's own). Filters are answered as asked or
refused: a reversed or too long range is a 422, `scope=org` without the permission a 403.

Engagement figures are null (not 0) where they are not available:
a LinkedIn row of a breakdown by network, or every figure under a LinkedIn filter
(`engagement_available` false).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, cast

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from portevoix.core.api_support import BodyId, Day, DbId, StrictBool, StrictInt, Text, responses
from portevoix.core.api_support import membership as api_membership
from portevoix.core.errors import DomainError
from portevoix.core.networks import NETWORK_CHOICES

from . import selectors, services
from .selectors import Figures, Filters

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["analytics"])

NetworkCode = Literal["linkedin", "x", "facebook", "mastodon", "bluesky", "threads"]
OrderCode = Literal[
    "clicks",
    "shares",
    "original_posts",
    "potential_reach",
    "unique_visitors",
    "conversions",
    "conversion_value",
    "engagements",
    "impressions",
]
ScopeCode = Literal["org", "own"]
DimensionCode = Literal["item", "campaign", "team", "ambassador", "network"]
UnitCode = Literal["day", "week", "month"]
MAX_BREAKDOWN_ROWS = 1000


def _membership(request: HttpRequest) -> Membership:
    return cast("Membership", api_membership(request))


class FilterParams(Schema):
    start: Day | None = Field(
        None, description="First day (inclusive), YYYY-MM-DD; default: 29 days before `end`"
    )
    end: Day | None = Field(None, description="Last day (inclusive), YYYY-MM-DD; default: today")
    campaign_id: DbId | None = None
    team_id: DbId | None = None
    network: NetworkCode | None = None
    scope: ScopeCode | None = Field(
        None,
        description='"org": the organization\'s figures (403 without that permission); '
        '"own": only your own; none: the organization\'s when allowed, else your own',
    )


class BreakdownParams(FilterParams):
    order: OrderCode = "clicks"
    limit: int = Field(selectors.TOP, ge=1, le=MAX_BREAKDOWN_ROWS)


class SeriesParams(FilterParams):
    unit: UnitCode = "day"


class FiguresOut(Schema):
    shares: int
    original_posts: int
    potential_reach: int
    clicks: int
    unique_visitors: int
    click_through: Decimal | None = Field(..., description="clicks ÷ shares; null if no share")
    conversions: int
    conversion_value: Decimal
    engagements: int | None = Field(
        ..., description="likes + replies + reposts + quotes; null where not available"
    )
    impressions: int | None = Field(..., description="null where not available")
    impression_engagements: int | None = Field(
        ...,
        description="engagements of the posts whose network reports impressions; "
        "null where not available",
    )
    engagement_rate: Decimal | None = Field(
        ...,
        description="impression_engagements / impressions, 4 decimals; "
        "null when impressions = 0 or not available",
    )
    engagement_available: bool = Field(
        ...,
        description="false when every figure is from a network that gives no engagement "
        "figures to apps (LinkedIn): the engagement fields are then null, not 0",
    )


class RangeOut(Schema):
    start: dt.date
    end: dt.date
    campaign_id: int | None
    team_id: int | None
    network: NetworkCode | None
    scope: ScopeCode


class SummaryOut(Schema):
    filters: RangeOut
    totals: FiguresOut
    formulas: dict[str, str]


class RowOut(Schema):
    key: str
    label: str
    figures: FiguresOut


class BreakdownOut(Schema):
    filters: RangeOut
    dimension: DimensionCode
    order: OrderCode
    rows: list[RowOut]


class PointOut(Schema):
    start: dt.date
    figures: FiguresOut


class SeriesOut(Schema):
    filters: RangeOut
    unit: UnitCode
    points: list[PointOut]


FORMULAS = {
    "shares": "count of shares",
    "original_posts": "count of shares whose text the ambassador rewrote",
    "potential_reach": "sum over shares of the sharer's audience on that network",
    "clicks": "counted clicks: first click of each visitor on a link each day",
    "unique_visitors": "sum over links and days of distinct visitors (daily visitor hash)",
    "click_through": "clicks / shares (null when shares = 0)",
    "conversions": "conversions attributed to a tracked click",
    "conversion_value": "sum of the attributed conversions' values",
    "engagements": (
        "sum over posts published through connected accounts of likes + replies + reposts "
        "+ quotes, from each post's latest snapshot (a figure the network does not give "
        "counts 0); shares made through the share dialog cannot be measured; null for "
        "LinkedIn, which gives no member post metrics to apps"
    ),
    "impressions": (
        "sum of the views/impressions of those posts, where the network reports them; "
        "null for LinkedIn"
    ),
    "impression_engagements": (
        "engagements of the posts whose network reports impressions (numerator of the "
        "engagement rate)"
    ),
    "engagement_rate": (
        "impression_engagements / impressions (null when impressions = 0): networks "
        "without views are left out of both sides"
    ),
}


def _resolve(request: HttpRequest, params: FilterParams) -> tuple[Membership, Filters, bool]:
    membership = _membership(request)
    today = timezone.localdate()
    end = params.end or today
    start = params.start or end - dt.timedelta(days=29)
    filters, own = selectors.filters_as_asked(
        membership,
        start=start,
        end=end,
        campaign_id=params.campaign_id,
        team_id=params.team_id,
        network=params.network,
        scope=params.scope,
    )
    return membership, filters, own


def _range(filters: Filters, own: bool) -> dict[str, Any]:
    return {
        "start": filters.start,
        "end": filters.end,
        "campaign_id": filters.campaign_id,
        "team_id": filters.team_id,
        "network": filters.network,
        "scope": "own" if own else "org",
    }


def _figures(figures: Figures) -> dict[str, Any]:
    return figures.as_dict()


@router.get("/analytics/summary", response=responses({200: SummaryOut}))
def summary(request: HttpRequest, params: Query[FilterParams]) -> dict[str, Any]:
    membership, filters, own = _resolve(request, params)
    totals = selectors.totals(membership=membership, filters=filters, own=own)
    return {"filters": _range(filters, own), "totals": _figures(totals), "formulas": FORMULAS}


@router.get("/analytics/breakdown/{dimension}", response=responses({200: BreakdownOut}))
def breakdown(
    request: HttpRequest,
    dimension: DimensionCode,
    params: Query[BreakdownParams],
) -> dict[str, Any]:
    membership, filters, own = _resolve(request, params)
    result = selectors.breakdown(
        membership=membership,
        filters=filters,
        dimension=dimension,
        order=params.order,
        limit=params.limit,
        own=own,
    )
    return {
        "filters": _range(filters, own),
        "dimension": dimension,
        "order": result.order,
        "rows": [
            {"key": row.key, "label": row.label, "figures": _figures(row.figures)}
            for row in result.rows
        ],
    }


@router.get("/analytics/timeseries", response=responses({200: SeriesOut}))
def timeseries(request: HttpRequest, params: Query[SeriesParams]) -> dict[str, Any]:
    membership, filters, own = _resolve(request, params)
    points = selectors.timeseries(membership=membership, filters=filters, unit=params.unit, own=own)
    return {
        "filters": _range(filters, own),
        "unit": params.unit,
        "points": [{"start": p.start, "figures": _figures(p.figures)} for p in points],
    }


# --- Goals


GoalMetric = Literal[
    "reach",
    "clicks",
    "unique_visitors",
    "shares",
    "original_posts",
    "active_ambassadors",
    "conversions",
    "conversion_value",
    "engagement_rate",
    "ideas_accepted",
    "certified_ambassadors",
]
GoalStatus = Literal["reached", "on_track", "at_risk", "missed", "upcoming", "no_data"]


class GoalOut(Schema):
    id: int
    name: str
    metric: GoalMetric
    target: Decimal
    start: dt.date
    deadline: dt.date
    campaign_id: int | None
    team_id: int | None
    visible_to_ambassadors: bool
    value: Decimal | None = Field(description="The figure so far (null: no figures yet)")
    forecast: Decimal | None = Field(description="The figure expected at the deadline")
    forecast_method: Literal["pace", "current"] = Field(
        description="pace: figure so far x days in the goal / days elapsed; current: a "
        "level's current value (engagement rate, active and certified ambassadors)"
    )
    status: GoalStatus
    days_elapsed: int
    days_total: int
    reached_at: dt.datetime | None


class GoalsOut(Schema):
    goals: list[GoalOut]


@router.get("/goals", response=responses({200: GoalsOut}))
def goals(request: HttpRequest) -> dict[str, Any]:
    """The goals the caller may read, with progress, forecast and status: every goal for
    those who read the organization's analytics, the goals shown to ambassadors for an
    ambassador."""
    from .selectors import goals as goal_selectors

    rows = goal_selectors.goals(membership=_membership(request))
    return {"goals": [row.as_dict() for row in rows]}


class GoalIn(Schema):
    """A goal, whole (PUT replaces every field): a figure to reach between two days, for
    the organization, one campaign or one team."""

    name: Text = Field(..., min_length=1, max_length=200)
    metric: GoalMetric
    target: Decimal = Field(..., gt=0, max_digits=14, decimal_places=2)
    start: Day
    deadline: Day
    campaign_id: BodyId | None = None
    team_id: BodyId | None = None
    visible_to_ambassadors: StrictBool = False


def _goal_data(payload: GoalIn) -> services.GoalData:
    return services.GoalData(
        name=payload.name,
        metric=payload.metric,
        target=payload.target,
        start=payload.start,
        deadline=payload.deadline,
        campaign_id=payload.campaign_id,
        team_id=payload.team_id,
        visible_to_ambassadors=payload.visible_to_ambassadors,
    )


@router.post("/goals", response=responses({201: GoalOut}))
def goal_create(request: HttpRequest, payload: GoalIn) -> Status[dict[str, Any]]:
    """Set a goal (`goal.manage`); audited. Refused (400, per field) as the page refuses it."""
    from .selectors import goals as goal_selectors

    goal = services.goal_create(actor=_membership(request), data=_goal_data(payload))
    return Status(201, goal_selectors.progress(goal).as_dict())


@router.put("/goals/{goal_id}", response=responses({200: GoalOut}))
def goal_update(request: HttpRequest, goal_id: DbId, payload: GoalIn) -> dict[str, Any]:
    """Replace a goal (`goal.manage`); a reached goal is checked again if its figure, scope
    or target changes; audited."""
    from .selectors import goals as goal_selectors

    membership = _membership(request)
    goal_selectors.goal(membership=membership, goal_id=goal_id)  # another organization: 404
    goal = services.goal_update(actor=membership, goal_id=goal_id, data=_goal_data(payload))
    return goal_selectors.progress(goal).as_dict()


@router.post("/goals/{goal_id}/archive", response=responses({204: None}))
def goal_archive(request: HttpRequest, goal_id: DbId) -> Status[None]:
    """Archive a goal (`goal.manage`): it leaves the dashboards; audited."""
    from .selectors import goals as goal_selectors

    membership = _membership(request)
    goal_selectors.goal(membership=membership, goal_id=goal_id)
    services.goal_archive(actor=membership, goal_id=goal_id)
    return Status(204, None)


# --- Settings: the earned media value's rates and the content mix target


class InsightSettingsIn(Schema):
    """The earned media value's rates and the content mix target (`analytics.settings`),
    whole (PUT replaces every field)."""

    currency: Literal["EUR", "USD", "GBP", "CHF", "CAD"]
    cpm: dict[Text, Decimal] = Field(
        ...,
        max_length=20,
        description="Cost per thousand impressions, per network (a network left out: 0)",
    )
    cpc: Decimal = Field(..., ge=0, le=100_000, max_digits=9, decimal_places=2)
    per_engagement: Decimal = Field(..., ge=0, le=100_000, max_digits=9, decimal_places=2)
    mix_target: StrictInt = Field(..., ge=0, le=100, description="Percent of original posts")


class InsightSettingsOut(Schema):
    currency: str
    cpm: dict[str, Decimal]
    cpc: Decimal
    per_engagement: Decimal
    mix_target: int


def _insight_out(row: Any) -> InsightSettingsOut:
    return InsightSettingsOut(
        currency=row.currency,
        cpm={code: row.cpm_for(code) for code, _label in NETWORK_CHOICES},
        cpc=row.cpc,
        per_engagement=row.per_engagement,
        mix_target=row.mix_target,
    )


@router.put("/analytics/settings", response=responses({200: InsightSettingsOut}))
def insight_settings_update(request: HttpRequest, payload: InsightSettingsIn) -> InsightSettingsOut:
    """Set the rates that value the earned media and the content mix target; audited."""
    unknown = sorted(set(payload.cpm) - {code for code, _label in NETWORK_CHOICES})
    if unknown:
        raise DomainError(
            _("Unknown network."),
            field_errors={f"cpm.{code}": [_("Unknown network.")] for code in unknown},
        )
    row = services.insight_settings_update(
        actor=_membership(request),
        data=services.InsightData(
            currency=payload.currency,
            cpm={code: payload.cpm.get(code, Decimal(0)) for code, _label in NETWORK_CHOICES},
            cpc=payload.cpc,
            per_engagement=payload.per_engagement,
            mix_target=payload.mix_target,
        ),
    )
    return _insight_out(row)


# --- Scheduled reports


class ReportScheduleIn(Schema):
    enabled: StrictBool
    weekday: StrictInt = Field(0, ge=0, le=6, description="The weekly report: 0 is Monday")
    day: StrictInt = Field(1, ge=1, le=28, description="The monthly report: day of the month")
    hour: StrictInt = Field(..., ge=0, le=23, description="In the platform's time zone")
    recipient_ids: list[BodyId] = Field(
        ..., max_length=200, description="Members who may read the organization's figures"
    )


class ReportScheduleOut(Schema):
    kind: Literal["weekly", "monthly"]
    enabled: bool
    weekday: int
    day: int
    hour: int


@router.put("/analytics/reports/schedules/{kind}", response=responses({200: ReportScheduleOut}))
def report_schedule_set(
    request: HttpRequest, kind: Literal["weekly", "monthly"], payload: ReportScheduleIn
) -> ReportScheduleOut:
    """When the weekly or monthly report is emailed, and to whom (`report.manage`)."""
    from . import services_reports

    schedule = services_reports.report_schedule_set(
        actor=_membership(request),
        kind=kind,
        data=services_reports.ScheduleData(
            enabled=payload.enabled,
            weekday=payload.weekday,
            day=payload.day,
            hour=payload.hour,
            recipient_ids=list(payload.recipient_ids),
        ),
    )
    return ReportScheduleOut(
        kind=kind,
        enabled=schedule.enabled,
        weekday=schedule.weekday,
        day=schedule.day,
        hour=schedule.hour,
    )
