"""Keep the team rollups on the current teams: a member who joins or leaves a team takes
their figures with them; a deleted team's rows go with it. Analytics hears of team changes
through the signals accounts declares (`accounts.signals`), not through its tables."""

from __future__ import annotations

from typing import Any

from portevoix.accounts.signals import team_deleted, team_links_changed
from portevoix.core.tenancy import scoped

from .models import TeamRollup
from .rollups import team_membership_changed


def _on_team_links_changed(
    sender: Any,
    *,
    organization_id: int,
    membership_id: int,
    added: list[int],
    removed: list[int],
    **kw: Any,
) -> None:
    team_membership_changed(
        organization_id=organization_id,
        membership_id=membership_id,
        added=added,
        removed=removed,
    )


def _on_team_deleted(sender: Any, *, organization_id: int, team_id: int, **kw: Any) -> None:
    scoped(TeamRollup, organization_id).filter(team_id=team_id).delete()


def connect() -> None:
    team_links_changed.connect(_on_team_links_changed, dispatch_uid="analytics_teams")
    team_deleted.connect(_on_team_deleted, dispatch_uid="analytics_team_deleted")
