"""Demo goals: seven goals of the program, each of a different figure and scope, set
through the service by the demo's administrator, with targets read off the demo's own
figures so the page shows every status: on track, at risk, reached (recorded and announced
by the same check as the hourly task) and missed. Loaded after ideas and training, so that
their figures exist.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.utils import timezone

from portevoix.accounts.models import Membership, Organization, Team
from portevoix.analytics import services
from portevoix.analytics.models import Goal
from portevoix.analytics.selectors import goals as goal_selectors
from portevoix.content.models import Campaign
from portevoix.core.tenancy import scoped

from . import data

# (name, metric, days before today it started, days after today it ends, scope, how the
# target is set from the figures, shown to ambassadors)
GOALS = (
    ("Clics : +20 % ce trimestre", "clicks", 45, 45, "", "on_track", True),
    ("50 leads qualifiés par mois", "conversions", 20, 10, "", "at_risk", False),
    ("Recrutement : partages de la campagne", "shares", 60, 30, "hiring", "reached", True),
    ("Ventes : ambassadeurs actifs", "active_ambassadors", 30, 60, data.SALES, "at_risk", True),
    ("Idées retenues ce semestre", "ideas_accepted", 90, 90, "", "on_track", False),
    ("Ambassadeurs certifiés", "certified_ambassadors", 30, 150, "", "at_risk", True),
    ("Portée potentielle du trimestre dernier", "reach", 150, -60, "", "missed", False),
)


def _round(value: Decimal) -> Decimal:
    """Two significant digits (1,234 -> 1,200), at least 1."""
    if value <= 1:
        return Decimal(1)
    digits = math.floor(math.log10(value)) - 1
    step = Decimal(10) ** max(digits, 0)
    return max(Decimal(1), (value / step).to_integral_value() * step)


def _target(goal: Goal, today: dt.date, wanted: str) -> Decimal:
    end = min(today, goal.deadline)
    value = goal_selectors.measure(goal, end) or Decimal(0)
    total = (goal.deadline - goal.start).days + 1
    elapsed = (end - goal.start).days + 1
    pace = value * total / elapsed if goal_selectors.metric_kind(goal.metric) == "sum" else value
    if wanted == "reached":
        return _round(value * Decimal("0.8"))
    if wanted == "on_track":
        return _round(pace * Decimal("0.85"))
    # at risk or missed: a target above what the pace (or the level) reaches
    return _round(max(pace, value) * Decimal("1.4") + 2)


def load(org: Organization) -> None:
    admin = scoped(Membership, org).select_related("organization").get(user__email=data.ADMIN)
    today = timezone.localdate()
    teams = dict(scoped(Team, org).values_list("name", "pk"))
    hiring = scoped(Campaign, org).filter(name=data.HIRING).values_list("pk", flat=True)
    campaigns = {"hiring": hiring.first()}
    for name, metric, before, after, scope, wanted, shown in GOALS:
        campaign_id = campaigns.get(scope)
        team_id = teams.get(scope)
        start = today - dt.timedelta(days=before)
        deadline = today + dt.timedelta(days=after)
        probe = Goal(
            organization_id=org.pk,
            metric=metric,
            start=start,
            deadline=deadline,
            campaign_id=campaign_id,
            team_id=team_id,
        )
        services.goal_create(
            actor=admin,
            data=services.GoalData(
                name=name,
                metric=metric,
                target=_target(probe, today, wanted),
                start=start,
                deadline=deadline,
                campaign_id=campaign_id,
                team_id=team_id,
                visible_to_ambassadors=shown,
            ),
        )
    services.goals_check(on=today)
