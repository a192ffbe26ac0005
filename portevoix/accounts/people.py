"""How many people the organization has: members, ambassadors, invitations and teams
(read by the admin's home and the KPIs; offered through `selectors`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from portevoix.core import clock
from portevoix.core.tenancy import scoped

from .models import Invitation, Membership, Team
from .permissions import require


@dataclass(frozen=True)
class PeopleOverview:
    members: int  # active members
    ambassadors: int  # active members who opted in
    pending_invitations: int  # neither accepted, revoked nor expired
    invitations_sent: int  # ever, whatever became of them
    teams: int


def people_overview(*, membership: Membership) -> PeopleOverview:
    """What the administrator's home shows about people: three queries, whatever the size."""
    require(membership, "member.invite")
    org_id = membership.organization_id
    active = scoped(Membership, org_id).filter(is_active=True)
    members = active.aggregate(
        members=Count("pk"),
        ambassadors=Count("pk", filter=Q(ambassador__opted_in=True)),
    )
    invitations = scoped(Invitation, org_id).aggregate(
        sent=Count("pk"),
        pending=Count(
            "pk",
            filter=Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=clock.now()),
        ),
    )
    return PeopleOverview(
        members=members["members"],
        ambassadors=members["ambassadors"],
        pending_invitations=invitations["pending"],
        invitations_sent=invitations["sent"],
        teams=scoped(Team, org_id).count(),
    )


@dataclass(frozen=True)
class PeopleCounts:
    members: int  # active members
    ambassadors: int  # of whom opted in
    pending_invitations: int


def people_counts(*, organization_id: int, team_id: int | None = None) -> PeopleCounts:
    """Active members, opted-in ambassadors and pending invitations of the organization (of
    one team: its members, and no invitation, which belongs to no team), for the KPIs; no
    permission check (the caller has authorized). Two queries at most."""
    active = scoped(Membership, organization_id).filter(is_active=True)
    if team_id is not None:
        active = active.filter(teams__id=team_id)
    counts = active.aggregate(
        members=Count("pk", distinct=True),
        ambassadors=Count("pk", filter=Q(ambassador__opted_in=True), distinct=True),
    )
    pending = 0
    if team_id is None:
        pending = (
            scoped(Invitation, organization_id)
            .filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=clock.now())
            .count()
        )
    return PeopleCounts(counts["members"], counts["ambassadors"], pending)
