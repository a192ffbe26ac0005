"""The API's people area, continued: members, teams and invitations. Split from accounts/api.py;
config/api.py mounts both."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from portevoix.core.api_support import (
    DbId,
    responses,
)

from . import selectors, services
from .api import (
    InvitationCreatedOut,
    InvitationIn,
    InvitationOut,
    MemberOut,
    MemberPageOut,
    MemberPatchIn,
    MemberQuery,
    TeamIn,
    TeamOut,
    TeamPatchIn,
    _invitation_out,
    _member_out,
    _membership,
    _team_out,
    _team_with_count,
)

router = Router(tags=["people"])


# --- Members


@router.get("/members", response=responses({200: MemberPageOut}))
def member_list(request: HttpRequest, filters: Query[MemberQuery]) -> MemberPageOut:
    count, rows = selectors.page_of(
        selectors.members(
            membership=_membership(request),
            search=filters.q,
            team_id=filters.team,
            role=filters.role,
            ambassadors_only=filters.ambassadors,
        ),
        offset=filters.offset,
        limit=filters.limit,
    )
    return MemberPageOut(
        items=[_member_out(m) for m in rows],
        count=count,
        limit=filters.limit,
        offset=filters.offset,
    )


@router.get("/members/{member_id}", response=responses({200: MemberOut}))
def member_detail(request: HttpRequest, member_id: DbId) -> MemberOut:
    return _member_out(selectors.member(membership=_membership(request), pk=member_id))


@router.patch("/members/{member_id}", response=responses({200: MemberOut}))
def member_update(request: HttpRequest, member_id: DbId, payload: MemberPatchIn) -> MemberOut:
    """Change roles, teams, title or active status (administrators)."""
    actor = _membership(request)
    target = selectors.member(membership=actor, pk=member_id)
    services.membership_update(
        actor=actor,
        membership=target,
        roles=payload.roles,
        team_ids=payload.team_ids,
        title=payload.title,
        is_active=payload.is_active,
    )
    return _member_out(selectors.member(membership=actor, pk=member_id))


# --- Teams


@router.get("/teams", response=responses({200: list[TeamOut]}))
def team_list(request: HttpRequest) -> list[TeamOut]:
    return [_team_out(t) for t in selectors.teams(membership=_membership(request))]


@router.post("/teams", response=responses({201: TeamOut}))
def team_create(request: HttpRequest, payload: TeamIn) -> Status[TeamOut]:
    membership = _membership(request)
    team = services.team_create(actor=membership, name=payload.name, kind=payload.kind)
    return Status(201, _team_out(_team_with_count(membership, team.pk)))


@router.get("/teams/{team_id}", response=responses({200: TeamOut}))
def team_detail(request: HttpRequest, team_id: DbId) -> TeamOut:
    return _team_out(_team_with_count(_membership(request), team_id))


@router.patch("/teams/{team_id}", response=responses({200: TeamOut}))
def team_update(request: HttpRequest, team_id: DbId, payload: TeamPatchIn) -> TeamOut:
    membership = _membership(request)
    team = selectors.team(membership=membership, pk=team_id)
    services.team_update(actor=membership, team=team, name=payload.name, kind=payload.kind)
    return _team_out(_team_with_count(membership, team_id))


@router.delete("/teams/{team_id}", response=responses({204: None}))
def team_delete(request: HttpRequest, team_id: DbId) -> Status[None]:
    membership = _membership(request)
    team = selectors.team(membership=membership, pk=team_id)
    services.team_delete(actor=membership, team=team)
    return Status(204, None)


# --- Invitations


@router.get("/invitations", response=responses({200: list[InvitationOut]}))
def invitation_list(request: HttpRequest) -> list[InvitationOut]:
    """Pending invitations (administrators)."""
    return [
        _invitation_out(i) for i in selectors.pending_invitations(membership=_membership(request))
    ]


@router.post("/invitations", response=responses({201: InvitationCreatedOut}))
def invitation_create(request: HttpRequest, payload: InvitationIn) -> Status[InvitationCreatedOut]:
    """Invite someone by email (administrators). The accept link is returned once."""
    membership = _membership(request)
    issued = services.invitation_create(
        actor=membership,
        email=payload.email,
        roles=list(payload.roles),
        team_ids=list(payload.team_ids),
        language=payload.language or membership.organization.default_language,
    )
    out = _invitation_out(issued.invitation)
    return Status(201, InvitationCreatedOut(**out.model_dump(), url=issued.url))


@router.delete("/invitations/{invitation_id}", response=responses({204: None}))
def invitation_revoke(request: HttpRequest, invitation_id: DbId) -> Status[None]:
    """Withdraw a pending invitation (administrators)."""
    membership = _membership(request)
    invitation = selectors.invitation(membership=membership, pk=invitation_id)
    services.invitation_revoke(actor=membership, invitation=invitation)
    return Status(204, None)
