"""Reads for the emails to ambassadors (notifications' digests), in a bounded number of
queries for a whole batch of members: their all-time figures (the all-time sums table, one
query per batch) and the open goals shown to ambassadors (once per digest run: the
organization's goals, and each team's)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from portevoix.core.tenancy import scoped

from ..models import Goal, MemberTotal
from .figures import Figures
from .goals import GoalProgress, progress

MAX_MAIL_GOALS = 5


def member_totals(*, organization_id: int, membership_ids: Iterable[int]) -> dict[int, Figures]:
    """Each member's all-time figures on all networks (members without any: absent)."""
    rows = scoped(MemberTotal, organization_id).filter(
        membership_id__in=list(membership_ids), network=""
    )
    return {row.membership_id: Figures.from_sums(vars(row)) for row in rows}


def ambassador_goals(*, organization_id: int, on: dt.date) -> list[GoalProgress]:
    """The open goals shown to ambassadors (not archived, deadline not passed), soonest
    deadline first, with their progress: the organization's and campaigns' (`team_id` None)
    and the teams' (an email shows a team's goals to that team's members only)."""
    goals = (
        scoped(Goal, organization_id)
        .filter(archived_at__isnull=True, visible_to_ambassadors=True, deadline__gte=on)
        .select_related("campaign", "team")
        .order_by("deadline", "pk")
    )
    return [progress(goal, on=on) for goal in goals[:50]]
