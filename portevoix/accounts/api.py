"""API router for people: the caller, members, teams, invitations and enrolment.

Endpoints only parse, authorize (through services and selectors, which call
`permissions.require`), call a service or selector, and return a schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic.json_schema import JsonDict

from portevoix.core import api_support
from portevoix.core.api_support import (
    DbId,
    PageParams,
    StrictBool,
    StrictInt,
    Text,
    responses,
)
from portevoix.core.networks import Network

from . import selectors, services
from .models import AmbassadorProfile, Invitation, Membership, Organization, Team, User
from .permissions import require, roles_of
from .roles import ASSIGNABLE_ROLES, Role

router = Router(tags=["people"])

# What the services accept, listed in the schema. The services keep validating (400 with a
# translated message per field), so the schema documents rules the API really enforces.
ASSIGNABLE_ROLE_ENUM: JsonDict = {"enum": [code for code, _label in ASSIGNABLE_ROLES]}
NETWORK_ENUM: JsonDict = {"enum": [*Network.ALL]}
LANGUAGE_ENUM: JsonDict = {"enum": ["fr", "en"]}
HELP_ENUM: JsonDict = {"enum": [code for code, _label in AmbassadorProfile.HELP_CHOICES]}
TEAM_KIND_ENUM: JsonDict = {"enum": [code for code, _label in Team.KIND_CHOICES]}
# An empty value is refused by the service (400): say so in the schema.
NOT_EMPTY: JsonDict = {"minLength": 1}
AT_LEAST_ONE: JsonDict = {"minItems": 1}

AssignableRoleCode = Annotated[Text, Field(max_length=32, json_schema_extra=ASSIGNABLE_ROLE_ENUM)]
RoleCode = Literal[
    "admin",
    "content_manager",
    "approver",
    "final_approver",
    "community_manager",
    "analyst",
    "executive",
    "advocacy_board",
    "ambassador",
]
LanguageCode = Annotated[Text, Field(max_length=8, json_schema_extra=LANGUAGE_ENUM)]
HelpCode = Annotated[Text, Field(max_length=32, json_schema_extra=HELP_ENUM)]


def _membership(request: HttpRequest) -> Membership:
    """The membership the request acts as (set by the API authentication)."""
    return cast(Membership, api_support.membership(request))


# --- Schemas


class UserOut(Schema):
    id: int
    email: str
    full_name: str


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str


class TeamRefOut(Schema):
    id: int
    name: str


class MeOut(Schema):
    membership_id: int
    user: UserOut
    organization: OrganizationOut
    roles: list[str]
    title: str


class MemberOut(Schema):
    id: int
    user: UserOut
    title: str
    is_active: bool
    roles: list[str]
    teams: list[TeamRefOut]
    is_ambassador: bool
    joined_at: dt.datetime


class MemberPageOut(Schema):
    items: list[MemberOut]
    count: int
    limit: int
    offset: int


class MemberQuery(PageParams):
    q: Text | None = Field(None, max_length=200, description="Name or email contains")
    team: DbId | None = Field(None, description="Team id")
    role: RoleCode | None = Field(None, description="Role code")
    ambassadors: bool = Field(False, description="Only opted-in ambassadors")


class MemberPatchIn(Schema):
    """Only the fields sent are changed."""

    roles: list[AssignableRoleCode] | None = Field(
        None, description="Assigned roles; ambassadors opt in themselves"
    )
    team_ids: list[DbId] | None = None
    title: Text | None = Field(None, max_length=120)
    is_active: StrictBool | None = None


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    member_count: int


class TeamIn(Schema):
    name: Text = Field(..., max_length=120, json_schema_extra=NOT_EMPTY)
    kind: Text = Field(
        "department",
        max_length=20,
        description="department, site or other",
        json_schema_extra=TEAM_KIND_ENUM,
    )


class TeamPatchIn(Schema):
    name: Annotated[Text, Field(max_length=120, json_schema_extra=NOT_EMPTY)] | None = None
    kind: Annotated[Text, Field(max_length=20, json_schema_extra=TEAM_KIND_ENUM)] | None = None


class PresenceSchema(Schema):
    network: Text = Field(..., max_length=20, json_schema_extra=NETWORK_ENUM)
    audience: StrictInt = Field(0, ge=0, le=2**31)
    handle: Text = Field("", max_length=500)
    instance: Text = Field("", max_length=500, description="Mastodon instance host")


class EnrolmentIn(Schema):
    topic_ids: list[DbId] = []
    languages: list[LanguageCode] = Field(
        default_factory=list, description="fr and/or en", json_schema_extra=AT_LEAST_ONE
    )
    help_with: list[HelpCode] = Field(
        default_factory=list,
        description="sharing, ideas, analytics",
        json_schema_extra=AT_LEAST_ONE,
    )
    networks: list[PresenceSchema] = []


class AmbassadorOut(Schema):
    opted_in: bool
    opted_in_at: dt.datetime | None
    opted_out_at: dt.datetime | None
    topic_ids: list[int]
    languages: list[str]
    help_with: list[str]
    networks: list[PresenceSchema]


class InvitationIn(Schema):
    email: Text = Field(..., max_length=254, json_schema_extra=NOT_EMPTY)
    roles: list[AssignableRoleCode] = []
    team_ids: list[DbId] = Field(default_factory=list, description="Teams of the organization")
    language: Literal["fr", "en"] | None = Field(
        None, description="Language of the email; the organization's by default"
    )


class InvitationOut(Schema):
    id: int
    email: str
    roles: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime


class InvitationCreatedOut(InvitationOut):
    url: str = Field(..., description="The accept link, shown only to the inviter, once")


# --- Builders


def _user_out(user: User) -> UserOut:
    return UserOut(id=user.pk, email=user.email, full_name=user.full_name)


def _is_ambassador(membership: Membership) -> bool:
    try:
        return bool(membership.ambassador.opted_in)
    except AmbassadorProfile.DoesNotExist:
        return False


def _member_out(membership: Membership) -> MemberOut:
    # Reads only prefetched rows: no query per member.
    roles = sorted({row.role for row in membership.role_rows.all()} - {Role.AMBASSADOR})
    is_ambassador = _is_ambassador(membership)
    if is_ambassador and membership.is_active:
        roles.append(Role.AMBASSADOR)
    return MemberOut(
        id=membership.pk,
        user=_user_out(membership.user),
        title=membership.title,
        is_active=membership.is_active,
        roles=roles,
        teams=[TeamRefOut(id=t.pk, name=t.name) for t in membership.teams.all()],
        is_ambassador=is_ambassador,
        joined_at=membership.joined_at,
    )


def _team_out(team: Team) -> TeamOut:
    return TeamOut(
        id=team.pk, name=team.name, kind=team.kind, member_count=getattr(team, "member_count", 0)
    )


def _ambassador_out(profile: AmbassadorProfile | None) -> AmbassadorOut:
    if profile is None:
        return AmbassadorOut(
            opted_in=False, opted_in_at=None, opted_out_at=None, topic_ids=[], languages=[],
            help_with=[], networks=[],
        )  # fmt: skip
    return AmbassadorOut(
        opted_in=profile.opted_in,
        opted_in_at=profile.opted_in_at,
        opted_out_at=profile.opted_out_at,
        topic_ids=sorted(t.pk for t in profile.interests.all()),
        languages=list(profile.languages),
        help_with=list(profile.help_with),
        networks=[
            PresenceSchema(
                network=p.network, audience=p.audience, handle=p.handle, instance=p.instance
            )
            for p in profile.networks.all()
        ],
    )


def _profile(membership: Membership) -> AmbassadorProfile | None:
    return selectors.ambassador_profile(membership=membership)


def _enrolment(payload: EnrolmentIn) -> services.EnrolmentData:
    return services.EnrolmentData(
        topic_ids=list(payload.topic_ids),
        languages=list(payload.languages),
        help_with=list(payload.help_with),
        networks=[
            services.PresenceData(
                network=p.network, audience=p.audience, handle=p.handle, instance=p.instance
            )
            for p in payload.networks
        ],
    )


def _invitation_out(invitation: Invitation) -> InvitationOut:
    return InvitationOut(
        id=invitation.pk,
        email=invitation.email,
        roles=list(invitation.roles),
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )


def _team_with_count(membership: Membership, pk: int) -> Team:
    return selectors.team_with_member_count(membership=membership, pk=pk)


# --- The caller


@router.get("/me", response=responses({200: MeOut}), tags=["me"])
def me(request: HttpRequest) -> MeOut:
    """Who the token acts as: user, organization and roles."""
    membership = _membership(request)
    org = membership.organization
    return MeOut(
        membership_id=membership.pk,
        user=_user_out(membership.user),
        organization=OrganizationOut(id=org.pk, name=org.name, slug=org.slug),
        roles=sorted(roles_of(membership)),
        title=membership.title,
    )


class TimeZoneIn(Schema):
    time_zone: Text = Field(
        ..., max_length=64, description="An IANA name (Europe/Paris); empty: the platform's"
    )


class TimeZoneOut(Schema):
    time_zone: str


@router.put("/me/time-zone", response=responses({200: TimeZoneOut}), tags=["me"])
def time_zone_set(request: HttpRequest, payload: TimeZoneIn) -> TimeZoneOut:
    """Your time zone, for scheduling posts and your best times (as the best-times page)."""
    user = services.user_time_zone_set(user=_membership(request).user, time_zone=payload.time_zone)
    return TimeZoneOut(time_zone=user.time_zone)


class OrganizationSettingsOut(Schema):
    id: int
    name: str
    slug: str
    default_language: str
    approvals_required: int
    final_approval_required: bool
    review_days: int
    reschedule_requires_review: bool
    two_factor_required_for_admins: bool = Field(
        ..., description="Read only here: changed on the settings page (a browser session)"
    )


class OrganizationPatchIn(Schema):
    """Only the fields sent are changed. The two-step policy for administrators is not
    here on purpose: a token must not be able to lift it (config/api_coverage.py)."""

    name: Text | None = Field(None, min_length=1, max_length=120)
    default_language: Text | None = Field(None, max_length=8, json_schema_extra=LANGUAGE_ENUM)
    approvals_required: StrictInt | None = Field(None, ge=1, le=10)
    final_approval_required: StrictBool | None = None
    review_days: StrictInt | None = Field(None, ge=1, le=60)
    reschedule_requires_review: StrictBool | None = None


def _organization_out(org: Organization) -> OrganizationSettingsOut:
    return OrganizationSettingsOut(
        id=org.pk,
        name=org.name,
        slug=org.slug,
        default_language=org.default_language,
        approvals_required=org.approvals_required,
        final_approval_required=org.final_approval_required,
        review_days=org.review_days,
        reschedule_requires_review=org.reschedule_requires_review,
        two_factor_required_for_admins=org.two_factor_required_for_admins,
    )


@router.get("/organization", response=responses({200: OrganizationSettingsOut}))
def organization_detail(request: HttpRequest) -> OrganizationSettingsOut:
    """The organization's settings (administrators)."""
    membership = _membership(request)
    require(membership, "org.manage")
    return _organization_out(membership.organization)


@router.patch("/organization", response=responses({200: OrganizationSettingsOut}))
def organization_update(
    request: HttpRequest, payload: OrganizationPatchIn
) -> OrganizationSettingsOut:
    """Change the organization's settings (administrators): name, language, the approval
    workflow."""
    membership = _membership(request)
    organization = services.organization_update(
        actor=membership,
        organization=membership.organization,
        name=payload.name,
        default_language=payload.default_language,
        approvals_required=payload.approvals_required,
        final_approval_required=payload.final_approval_required,
        review_days=payload.review_days,
        reschedule_requires_review=payload.reschedule_requires_review,
    )
    return _organization_out(organization)


@router.get("/me/ambassador", response=responses({200: AmbassadorOut}), tags=["me"])
def ambassador_get(request: HttpRequest) -> AmbassadorOut:
    return _ambassador_out(_profile(_membership(request)))


@router.post("/me/ambassador/opt-in", response=responses({200: AmbassadorOut}), tags=["me"])
def ambassador_opt_in(request: HttpRequest, payload: EnrolmentIn) -> AmbassadorOut:
    """Join the ambassador programme. Voluntary: only the member can do this."""
    membership = _membership(request)
    services.ambassador_opt_in(membership=membership, data=_enrolment(payload))
    return _ambassador_out(_profile(membership))


@router.put("/me/ambassador", response=responses({200: AmbassadorOut}), tags=["me"])
def ambassador_update(request: HttpRequest, payload: EnrolmentIn) -> AmbassadorOut:
    membership = _membership(request)
    services.ambassador_update(membership=membership, data=_enrolment(payload))
    return _ambassador_out(_profile(membership))


@router.post("/me/ambassador/opt-out", response=responses({200: AmbassadorOut}), tags=["me"])
def ambassador_opt_out(request: HttpRequest) -> AmbassadorOut:
    """Withdraw from the programme, at any time."""
    membership = _membership(request)
    services.ambassador_opt_out(membership=membership)
    return _ambassador_out(_profile(membership))
