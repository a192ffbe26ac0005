"""The teams' board: teams by the average points of their active members."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from portevoix.accounts import selectors as accounts_selectors
from portevoix.core.tenancy import scoped

from ..models import PointTotal
from ..services.totals import team_rows
from . import MIN_TEAM_SIZE, TeamRow, _period

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def team_board(
    *, membership: Membership, period: str = "month", today: dt.date | None = None
) -> list[TeamRow]:
    """Teams by the average points of their active members in the period (so that a team's
    size does not decide), teams of fewer than MIN_TEAM_SIZE left out. Reads the teams'
    totals and sizes (one row per team, kept by the ledger and the team links) and takes
    away the few inactive or withdrawn members (their points; the inactive from the size)."""
    organization_id = membership.organization_id
    period, start = _period(period, today)
    sums, sizes = team_rows(organization_id, period, start)
    # The few inactive or withdrawn members: their points (among the unlisted rows, read on
    # their partial index alone; decision 0033) and their teams.
    unlisted_ids = accounts_selectors.unlisted_member_ids(
        organization_id=organization_id, hidden=False
    )
    unlisted = set(unlisted_ids.values_list("pk", flat=True))
    their_points = {
        member_id: points
        for member_id, points in scoped(PointTotal, organization_id)
        .filter(period=period, start=start, listed=False)
        .values_list("membership_id", "points")
        if member_id in unlisted
    }
    links = accounts_selectors.team_links().filter(membership_id__in=unlisted_ids)  # subquery
    inactive = accounts_selectors.inactive_member_ids(organization_id=organization_id)
    for member_id, team_id in links.values_list("membership_id", "team_id"):
        sums[team_id] = sums.get(team_id, 0) - their_points.get(member_id, 0)
        if member_id in inactive:
            sizes[team_id] = sizes.get(team_id, 0) - 1
    teams = [
        team
        for team in accounts_selectors.organization_teams(organization_id=organization_id)
        if sizes.get(team.pk, 0) >= MIN_TEAM_SIZE
    ]
    scored = sorted(
        ((sums.get(team.pk, 0) / sizes[team.pk], sums.get(team.pk, 0), team) for team in teams),
        key=lambda row: (-row[0], row[2].name, row[2].pk),
    )
    rows: list[TeamRow] = []
    for position, (average, total, team) in enumerate(scored, start=1):
        rank = rows[-1].rank if rows and rows[-1].average == round(average, 1) else position
        rows.append(
            TeamRow(
                rank=rank,
                team_id=team.pk,
                name=team.name,
                members=sizes[team.pk],
                points=total,
                average=round(average, 1),
            )
        )
    return rows
