"""Who a survey is for: one team's active members, or every active ambassador."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import can

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

    from .models import Survey


def is_in_audience(membership: Membership, survey: Survey) -> bool:
    if not membership.is_active or membership.organization_id != survey.organization_id:
        return False
    if survey.team_id:
        teams = account_selectors.teams_by_member([membership.pk]).get(membership.pk, [])
        return survey.team_id in teams
    return can(membership, "feed.view")


def audience_ids(survey: Survey) -> list[int]:
    """The ids of the members the survey is for (active ones)."""
    if survey.team_id:
        ids = set(
            account_selectors.team_member_ids(team_id=survey.team_id).values_list(
                "membership_id", flat=True
            )
        )
        return sorted(ids - account_selectors.withdrawn_member_ids(ids))
    return account_selectors.ambassador_ids(organization_id=survey.organization_id)
