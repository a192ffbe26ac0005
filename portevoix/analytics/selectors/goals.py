"""Goals: each goal's figure so far, its forecast at the deadline and its status.

How it is computed (also said on the page, `METHOD`):
- The figure so far is counted from the goal's start to today (or to the deadline once it
  has passed), in the goal's scope (the organization, a campaign or a team), from the
  rollups for reach, clicks, visitors, shares, original posts, active ambassadors,
  conversions and the engagement rate, and by the idea box and training for ideas accepted
  and certified ambassadors (`core.goal_metrics`).
- Forecast of a figure that adds up over time (clicks, shares...): the pace so far carried
  to the deadline, figure so far x days in the goal / days elapsed (today counted).
  Forecast of a level (the engagement rate, active ambassadors, certified ambassadors):
  its current value; a level is not extrapolated.
- Status: reached (the figure reached the target, once is enough); upcoming (before the
  start); missed (the deadline passed without reaching it); on track (the forecast reaches
  the target); at risk (it does not); no figures (an engagement rate with no measured
  impressions yet).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import can, require
from portevoix.core import clock, goal_metrics
from portevoix.core.errors import NotFound
from portevoix.core.tenancy import get_scoped_or_404, scoped

from ..models import Goal, GoalMetricCode
from .figures import SUMS, Figures
from .kpis import active_ambassadors
from .scope import Filters, Scope
from .tables import _rows

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# Figures the rollups hold, by goal metric (the engagement rate is computed from three).
ROLLUP_FIGURES = {
    GoalMetricCode.REACH: "potential_reach",
    GoalMetricCode.CLICKS: "clicks",
    GoalMetricCode.UNIQUE_VISITORS: "unique_visitors",
    GoalMetricCode.SHARES: "shares",
    GoalMetricCode.ORIGINAL_POSTS: "original_posts",
    GoalMetricCode.CONVERSIONS: "conversions",
    GoalMetricCode.CONVERSION_VALUE: "conversion_value",
}
ROLLUP_LEVELS = {GoalMetricCode.ENGAGEMENT_RATE, GoalMetricCode.ACTIVE_AMBASSADORS}
EXTERNAL = {GoalMetricCode.IDEAS_ACCEPTED, GoalMetricCode.CERTIFIED_AMBASSADORS}
DECIMAL_METRICS = {GoalMetricCode.CONVERSION_VALUE, GoalMetricCode.ENGAGEMENT_RATE}
# Metrics a campaign scope can count (ideas and certificates belong to no campaign).
CAMPAIGN_METRICS = frozenset(ROLLUP_FIGURES) | ROLLUP_LEVELS
STATUS_LABELS = {
    "reached": gettext_lazy("Reached"),
    "on_track": gettext_lazy("On track"),
    "at_risk": gettext_lazy("At risk"),
    "missed": gettext_lazy("Missed"),
    "upcoming": gettext_lazy("Not started"),
    "no_data": gettext_lazy("No figures yet"),
}
STATUSES = tuple(STATUS_LABELS)
# How progress, forecast and status are computed, as the pages say it.
METHOD = (
    gettext_lazy(
        "The figure so far is counted from the goal's start to today (or to its deadline), "
        "for the organization, the campaign or the team the goal is set for."
    ),
    gettext_lazy(
        "Forecast of a figure that adds up over time (reach, clicks, visitors, shares, "
        "original posts, conversions, ideas accepted): the pace so far carried to the "
        "deadline, that is the figure so far times the days of the goal divided by the "
        "days elapsed."
    ),
    gettext_lazy(
        "Forecast of a level (engagement rate, active ambassadors, certified ambassadors): "
        "its current value; a level is not extrapolated."
    ),
    gettext_lazy(
        "On track: the forecast reaches the target. At risk: it does not. Reached: the "
        "figure reached the target (once is enough; it is announced then). Missed: the "
        "deadline passed without reaching it."
    ),
)
MAX_GOALS = 100  # goals listed at once (the newest deadlines last)


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    value: Decimal | None  # None: no figures yet (an engagement rate without impressions)
    forecast: Decimal | None
    status: str
    kind: str  # "sum" or "level"
    days_elapsed: int
    days_total: int

    @property
    def percent(self) -> int:
        """Progress towards the target in percent, 0 to 100 (for the bar)."""
        if self.value is None or not self.goal.target:
            return 0
        return max(0, min(100, int(self.value * 100 / self.goal.target)))

    @property
    def number_format(self) -> str:
        """How the page writes this goal's figures (`floatformat`): whole numbers for
        counts, two decimals at most for money and rates."""
        return "-2g" if self.goal.metric in DECIMAL_METRICS else "0g"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def forecast_percent(self) -> int | None:
        if self.forecast is None or not self.goal.target:
            return None
        return int(self.forecast * 100 / self.goal.target)

    def as_dict(self) -> dict[str, Any]:
        goal = self.goal
        return {
            "id": goal.pk,
            "name": goal.name,
            "metric": goal.metric,
            "target": goal.target,
            "start": goal.start,
            "deadline": goal.deadline,
            "campaign_id": goal.campaign_id,
            "team_id": goal.team_id,
            "visible_to_ambassadors": goal.visible_to_ambassadors,
            "value": self.value,
            "forecast": self.forecast,
            "status": self.status,
            "forecast_method": "pace" if self.kind == "sum" else "current",
            "days_elapsed": self.days_elapsed,
            "days_total": self.days_total,
            "reached_at": goal.reached_at,
        }


def today() -> dt.date:
    return timezone.localdate(clock.now())


def metric_kind(metric: str) -> str:
    if metric in ROLLUP_FIGURES:
        return "sum"
    if metric in ROLLUP_LEVELS:
        return "level"
    registered = goal_metrics.get(metric)
    return registered.kind if registered else "sum"


def _team_members(goal: Goal) -> QuerySet[Any] | None:
    return None if goal.team_id is None else account_selectors.team_member_ids(team_id=goal.team_id)


def measure(goal: Goal, end: dt.date) -> Decimal | None:
    """The goal's figure from its start to `end` (inclusive), in its scope."""
    metric = goal.metric
    scope = Scope(goal.organization_id, None)
    filters = Filters(goal.start, end, goal.campaign_id, goal.team_id, None)
    if metric in ROLLUP_FIGURES or metric == GoalMetricCode.ENGAGEMENT_RATE:
        _, qs = _rows(scope, filters)
        figures = Figures.from_sums(qs.aggregate(**SUMS))
        if metric == GoalMetricCode.ENGAGEMENT_RATE:
            return figures.engagement_rate_percent
        return Decimal(getattr(figures, ROLLUP_FIGURES[GoalMetricCode(metric)]))
    if metric == GoalMetricCode.ACTIVE_AMBASSADORS:
        return Decimal(active_ambassadors(scope, filters))
    registered = goal_metrics.get(metric)
    if registered is None:
        return None
    return Decimal(registered.count(goal.organization_id, goal.start, end, _team_members(goal)))


def progress(goal: Goal, *, on: dt.date | None = None) -> GoalProgress:
    """The goal's figure so far, forecast and status on `on` (today by default)."""
    day = on or today()
    kind = metric_kind(goal.metric)
    total = (goal.deadline - goal.start).days + 1
    if day < goal.start:
        value = None if goal.reached_at is None else goal.reached_value
        status = "reached" if goal.reached_at else "upcoming"
        return GoalProgress(goal, value, None, status, kind, 0, total)
    end = min(day, goal.deadline)
    elapsed = (end - goal.start).days + 1
    value = measure(goal, end)
    if value is None:
        forecast = None
    elif kind == "sum":
        forecast = (value * total / elapsed).quantize(Decimal("0.01"))
    else:
        forecast = value
    if goal.reached_at is not None or (value is not None and value >= goal.target):
        status = "reached"
    elif day > goal.deadline:
        status = "missed"
    elif value is None or forecast is None:
        status = "no_data"
    else:
        status = "on_track" if forecast >= goal.target else "at_risk"
    return GoalProgress(goal, value, forecast, status, kind, elapsed, total)


def can_manage(membership: Membership | None) -> bool:
    return can(membership, "goal.manage")


def _visible(membership: Membership) -> QuerySet[Goal]:
    """The goals `membership` may read: every goal for the team that reads the
    organization's analytics; the goals shown to ambassadors (of the whole organization,
    a campaign, or a team they are in) for an ambassador."""
    qs = scoped(Goal, membership.organization_id).filter(archived_at__isnull=True)
    if can(membership, "analytics.view_org"):
        return qs
    require(membership, "analytics.view_own")
    my_teams = account_selectors.teams_by_member([membership.pk]).get(membership.pk, [])
    return qs.filter(visible_to_ambassadors=True).filter(
        Q(team__isnull=True) | Q(team_id__in=my_teams)
    )


def goals(
    *,
    membership: Membership,
    on: dt.date | None = None,
    ending_after: dt.date | None = None,
    limit: int = MAX_GOALS,
) -> list[GoalProgress]:
    """The goals `membership` may read with their progress, soonest deadline first (those
    whose deadline is on or after `ending_after`, when given)."""
    qs = _visible(membership).select_related("campaign", "team").order_by("deadline", "pk")
    if ending_after is not None:
        qs = qs.filter(deadline__gte=ending_after)
    return [progress(goal, on=on) for goal in qs[: min(limit, MAX_GOALS)]]


def goal(*, membership: Membership, goal_id: int) -> Goal:
    """One goal `membership` may manage (NotFound for another organization's)."""
    require(membership, "goal.manage")
    return get_scoped_or_404(
        Goal.objects.filter(archived_at__isnull=True), membership.organization_id, pk=goal_id
    )


def open_goal_ids(*, on: dt.date) -> list[tuple[int, int]]:
    """(organization id, goal id) of every goal not yet reached whose period has begun and
    that ended at most a day ago (the check's last look), across organizations."""
    rows = Goal.objects.filter(
        archived_at__isnull=True,
        reached_at__isnull=True,
        start__lte=on,
        deadline__gte=on - dt.timedelta(days=1),
    ).values_list("organization_id", "pk")
    return list(rows)


def reached_goal(*, organization_id: int, goal_id: int) -> Goal:
    """A reached goal, for its announcement (NotFound otherwise)."""
    goal = scoped(Goal, organization_id).filter(pk=goal_id, reached_at__isnull=False).first()
    if goal is None:
        raise NotFound("No such goal.")
    return goal


def goal_names(*, organization_id: int, goal_ids: list[str]) -> dict[str, str]:
    """{goal id: name} of the organization's goals among `goal_ids` (the audit log's)."""
    ids = [int(i) for i in goal_ids if i.isdigit()]
    rows = scoped(Goal, organization_id).filter(pk__in=ids).values_list("pk", "name")
    return {str(pk): name for pk, name in rows}
