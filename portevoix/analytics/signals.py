"""Keep the team rollups on the current teams: a member who joins or leaves a team takes
their figures with them; a deleted team's rows go with it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete

from portevoix.accounts.models import Membership, Team
from portevoix.core.tenancy import scoped

from .models import TeamRollup
from .rollups import team_membership_changed

_BEFORE = "_analytics_team_links_before"


def _on_teams_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kw: Any
) -> None:
    if action not in {"post_add", "pre_remove", "post_remove", "pre_clear", "post_clear"}:
        return
    if action in {"pre_remove", "pre_clear"}:
        # Remember the links that exist: remove() signals every id it was given, even
        # those that were not linked.
        links = Membership.teams.through.objects.filter(
            **({"team_id": instance.pk} if reverse else {"membership_id": instance.pk})
        )
        if action == "pre_remove":
            ids = pk_set or set()
            links = links.filter(
                **({"membership_id__in": ids} if reverse else {"team_id__in": ids})
            )
        setattr(instance, _BEFORE, list(links.values_list("membership_id", "team_id")))
        return
    if action == "post_add":
        ids = pk_set or set()  # add() signals only the links it created
        pairs = [(m, instance.pk) for m in ids] if reverse else [(instance.pk, t) for t in ids]
        removing = False
    else:
        pairs = getattr(instance, _BEFORE, [])
        removing = True
    organization_id = instance.organization_id
    for membership_id, team_id in pairs:
        team_membership_changed(
            organization_id=organization_id,
            membership_id=membership_id,
            added=[] if removing else [team_id],
            removed=[team_id] if removing else [],
        )


def _on_team_deleted(sender: Any, instance: Team, **kw: Any) -> None:
    scoped(TeamRollup, instance.organization_id).filter(team_id=instance.pk).delete()


def connect() -> None:
    m2m_changed.connect(
        _on_teams_changed, sender=Membership.teams.through, dispatch_uid="analytics_teams"
    )
    post_delete.connect(_on_team_deleted, sender=Team, dispatch_uid="analytics_team_deleted")
