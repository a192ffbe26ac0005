"""Reads about organizations, members and teams."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TypeVar, cast

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, IntegerField, Model, Prefetch, Q, QuerySet, Sum, Value
from django.utils.translation import gettext as _

from portevoix.core import clock
from portevoix.core.tenancy import get_scoped_or_404, scoped

from . import current
from .contacts import active_member_by_email as active_member_by_email
from .contacts import ambassador_mail_rows as ambassador_mail_rows
from .contacts import organization_language as organization_language
from .contacts import organization_mail_facts as organization_mail_facts
from .contacts import organizations_with_ambassadors as organizations_with_ambassadors
from .models import LANGUAGE_CHOICES as LANGUAGE_CHOICES  # read by other apps from here
from .models import (
    AmbassadorProfile,
    ApiToken,
    ConsentEvent,
    Invitation,
    Membership,
    MembershipRole,
    NetworkPresence,
    Organization,
    Team,
    User,
)
from .people import PeopleCounts as PeopleCounts
from .people import PeopleOverview as PeopleOverview
from .people import people_counts as people_counts
from .people import people_overview as people_overview
from .permissions import require
from .roles import Role
from .visibility import DEFAULT_VISIBILITY as DEFAULT_VISIBILITY
from .visibility import PublicName as PublicName
from .visibility import Visibility as Visibility
from .visibility import VisibilityChoice as VisibilityChoice
from .visibility import default_visibility as default_visibility
from .visibility import hidden_member_ids as hidden_member_ids
from .visibility import inactive_member_ids as inactive_member_ids
from .visibility import made_up_pseudonym as made_up_pseudonym
from .visibility import public_name_from as public_name_from
from .visibility import public_name_of as public_name_of
from .visibility import public_names as public_names
from .visibility import shown_q as shown_q
from .visibility import unlisted_among as unlisted_among
from .visibility import unlisted_member_ids as unlisted_member_ids
from .visibility import visibility_choice as visibility_choice
from .visibility import visible_q as visible_q

M = TypeVar("M", bound=Model)


def interest_model() -> type[Model]:
    """The model of an ambassador's interests (content's Topic), reached through the string
    foreign key `AmbassadorProfile.interests`: accounts imports nothing from content."""
    return cast(type[Model], AmbassadorProfile._meta.get_field("interests").related_model)


def interest_choices(*, membership: Membership) -> QuerySet[Model]:
    """The topics of the member's organization an ambassador may choose, by name."""
    return scoped(interest_model(), membership.organization).order_by("name")


def page_of(qs: QuerySet[M], *, offset: int, limit: int) -> tuple[int, list[M]]:
    """The total count of `qs` and the rows of one limit/offset page (for the API)."""
    return qs.count(), list(qs[offset : offset + limit])


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organization", "user")
        .order_by("organization__name")
    )


def membership_for(
    user: User, organization_id: int | None, *, frame_versions: bool = False
) -> Membership | None:
    """The user's active membership in `organization_id`, else their first one
    (`frame_versions`: with the versions of its page frame, `accounts.frame`)."""
    if frame_versions:
        # The request's membership (the tenant choke point, every signed-in page): its
        # organization, ambassador profile and versions in one statement built once per
        # process (accounts/current.py, docs/decisions/0038-current-membership-as-sql.md).
        return current.membership_for(user, organization_id)
    qs = memberships_of(user)
    if organization_id is not None:
        found = scoped(qs, organization_id).first()
        if found is not None:
            return found
    return qs.first()


def membership_in(user: User, organization_id: int) -> Membership | None:
    """The user's active membership in exactly `organization_id`, or None."""
    return scoped(memberships_of(user), organization_id).first()


def members(
    *,
    membership: Membership,
    search: str | None = None,
    team_id: int | None = None,
    role: str | None = None,
    ambassadors_only: bool = False,
    include_inactive: bool = False,
) -> QuerySet[Membership]:
    require(membership, "member.view")
    if include_inactive:
        require(membership, "member.manage")  # only those who can reactivate see them
    qs = scoped(Membership, membership.organization)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    qs = qs.select_related("user", "ambassador").prefetch_related(
        Prefetch("role_rows", queryset=MembershipRole.objects.order_by("role")), "teams"
    )
    if search:
        qs = qs.filter(Q(user__full_name__icontains=search) | Q(user__email__icontains=search))
    if team_id:
        qs = qs.filter(teams__id=team_id)
    if role:
        qs = qs.filter(role_rows__role=role)
    if ambassadors_only:
        qs = qs.filter(ambassador__opted_in=True)
    return qs.order_by("user__full_name", "user__email").distinct()


def member(*, membership: Membership, pk: int) -> Membership:
    require(membership, "member.view")
    qs = Membership.objects.select_related("user", "ambassador").prefetch_related(
        "role_rows", "teams"
    )
    return get_scoped_or_404(qs, membership.organization, pk=pk)


def teams(*, membership: Membership) -> QuerySet[Team]:
    require(membership, "team.view")
    return (
        scoped(Team, membership.organization)
        .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True)))
        .order_by("name")
    )


def team_with_member_count(*, membership: Membership, pk: int) -> Team:
    """One team of the member's organization, annotated with `member_count`."""
    return get_scoped_or_404(teams(membership=membership), membership.organization, pk=pk)


def team(*, membership: Membership, pk: int) -> Team:
    require(membership, "team.view")
    return get_scoped_or_404(Team, membership.organization, pk=pk)


def pending_invitations(*, membership: Membership) -> QuerySet[Invitation]:
    require(membership, "member.invite")
    return (
        scoped(Invitation, membership.organization)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation(*, membership: Membership, pk: int) -> Invitation:
    require(membership, "member.invite")
    return get_scoped_or_404(Invitation, membership.organization, pk=pk)


def consent_history(*, membership: Membership) -> QuerySet[ConsentEvent]:
    return scoped(ConsentEvent, membership.organization).filter(membership=membership)


def api_tokens(*, membership: Membership) -> QuerySet[ApiToken]:
    return (
        scoped(ApiToken, membership.organization)
        .filter(user=membership.user, revoked_at__isnull=True)
        .order_by("-created_at")
    )


def api_token(*, membership: Membership, pk: int) -> ApiToken:
    return get_scoped_or_404(
        ApiToken.objects.filter(user=membership.user), membership.organization, pk=pk
    )


def ambassador_profile(*, membership: Membership) -> AmbassadorProfile | None:
    """The member's enrolment profile (opted in or withdrawn), or None if they never joined."""
    return (
        AmbassadorProfile.objects.filter(membership=membership)
        .prefetch_related(
            "interests", Prefetch("networks", queryset=NetworkPresence.objects.order_by("id"))
        )
        .first()
    )


# Another app's value read with every request's membership, in the same statement
# (accounts/current.py `Rider`; registered from the app's `ready()`).
MembershipRider = current.Rider
ride_with_membership = current.ride


def interest_ids_read(profile: Any) -> tuple[int, ...] | None:
    """The profile's interests (topic ids, sorted) when they were read with the request's
    membership a moment ago (accounts/current.py); None when they were not (read them)."""
    found = profile.__dict__.get(current.INTEREST_IDS)
    return None if found is None else tuple(found)


def account_exists(email: str) -> bool:
    """Whether someone already has an account with this email (to offer logging in)."""
    return User.objects.filter(email__iexact=email.strip()).exists()


def role_counts(*, membership: Membership) -> dict[str, int]:
    """Active members holding each assigned role in the member's organization."""
    rows = (
        MembershipRole.objects.filter(
            membership__in=scoped(Membership, membership.organization).filter(is_active=True)
        )
        .values("role")
        .annotate(total=Count("id"))
    )
    return {row["role"]: row["total"] for row in rows}


def approval_staffing_warnings(*, membership: Membership) -> list[str]:
    """What keeps content of the member's organization from being approved as its rule
    asks: no final approver while one must sign, or fewer approvers than approvals required."""
    organization = membership.organization
    counts = role_counts(membership=membership)
    approvers = counts.get(Role.APPROVER, 0) + counts.get(Role.FINAL_APPROVER, 0)
    warnings = []
    if organization.final_approval_required and not counts.get(Role.FINAL_APPROVER):
        warnings.append(
            _(
                "Nobody has the final approver role yet: content cannot go live until an "
                "administrator gives it to someone."
            )
        )
    if approvers < organization.approvals_required:
        warnings.append(
            _(
                "Approvals required: %(required)d; people who can approve: %(count)d. Give the "
                "approver role to more people, or require fewer approvals."
            )
            % {"required": organization.approvals_required, "count": approvers}
        )
    return warnings


# --- Reads offered to other apps (no permission check: the caller has authorized)


def active_members(
    *, organization_id: int, exclude_membership_id: int | None = None
) -> QuerySet[Membership]:
    """The organization's active members (with their user), by name; without
    `exclude_membership_id` (the asking member) when given."""
    qs = scoped(Membership, organization_id).filter(is_active=True)
    if exclude_membership_id is not None:
        qs = qs.exclude(pk=exclude_membership_id)
    return qs.select_related("user").order_by("user__full_name", "user__email")


def active_members_with_roles(
    *, organization_id: int, roles: Iterable[str]
) -> QuerySet[Membership]:
    """The organization's active members holding any of `roles` (with their user and
    organization), in one query: who to remind without walking every member."""
    return (
        scoped(Membership, organization_id)
        .filter(is_active=True, role_rows__role__in=list(roles))
        .distinct()
        .select_related("user", "organization")
        .order_by("pk")
    )


def active_member(*, organization_id: int, pk: int) -> Membership:
    """An active member of the organization; `NotFound` otherwise (inactive, missing, or
    another organization's)."""
    return get_scoped_or_404(Membership.objects.filter(is_active=True), organization_id, pk=pk)


def teammate_ids(*, membership: Membership) -> QuerySet[Membership, Any] | None:
    """The ids (a `values("id")` queryset, usable as a subquery) of every member sharing a
    team with `membership`, themself included; None when they are in no team."""
    team_ids = list(membership.teams.values_list("id", flat=True))
    if not team_ids:
        return None
    return (
        scoped(Membership, membership.organization_id)
        .filter(teams__in=team_ids)
        .values("id")
        .distinct()
    )


def network_presence(*, membership: Membership, network: str) -> NetworkPresence | None:
    """The member's declared presence on `network` (audience, Mastodon instance), or None."""
    return NetworkPresence.objects.filter(
        profile__membership_id=membership.pk, network=network
    ).first()


def declared_networks(*, membership: Membership) -> QuerySet[NetworkPresence, Any]:
    """The networks the member declared in their ambassador profile, as rows (network, 0):
    a queryset that another app's selector may combine with its own (sharing's
    `network_order` counts shares the same way, in one query)."""
    return NetworkPresence.objects.filter(profile__membership_id=membership.pk).values_list(
        "network", Value(0, output_field=IntegerField())
    )


def organization_by_slug(slug: str) -> Organization | None:
    """The organization with this slug, or None (an empty slug finds nothing)."""
    return Organization.objects.filter(slug=slug).first() if slug else None


def member_by_user(*, organization_id: int, user_id: int) -> Membership | None:
    """The membership (active or not) of the user in the organization, or None."""
    return scoped(Membership, organization_id).filter(user_id=user_id).first()


def as_membership(*, organization: Any, person: Any) -> Membership | None:
    """A Membership from a Membership, or from a User of the organization (an Organization
    or its id); None for anything else, or a user who is not a member."""
    if isinstance(person, Membership):
        return person
    if isinstance(person, User):
        return scoped(Membership, organization).filter(user=person).first()
    return None


def user_of(person: Any) -> User | None:
    """The User behind a Membership or a User; None for anything else (the system)."""
    if isinstance(person, Membership):
        return person.user
    if isinstance(person, User):
        return person
    return None


def people_with_teams(*, organization_id: int, team_id: int | None = None) -> QuerySet[Membership]:
    """The organization's active members with their user and their teams (by name), by
    name then id; only the members of `team_id` when given."""
    qs = (
        scoped(Membership, organization_id)
        .filter(is_active=True)
        .select_related("user")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("user__full_name", "user__email", "id")
    )
    if team_id:
        qs = qs.filter(teams__id=team_id)
    return qs


def organization_teams(*, organization_id: int, with_member_count: bool = False) -> QuerySet[Team]:
    """The organization's teams by name; annotated with `member_count` (active members)
    when asked."""
    qs = scoped(Team, organization_id)
    if with_member_count:
        qs = qs.annotate(
            member_count=Count("memberships", filter=Q(memberships__is_active=True), distinct=True)
        )
    return qs.order_by("name")


def team_exists(*, organization_id: int, team_id: int) -> bool:
    return scoped(Team, organization_id).filter(pk=team_id).exists()


def team_names(*, organization_id: int, team_ids: Iterable[int]) -> dict[int, str]:
    """{team id: name} for the organization's teams among `team_ids`."""
    return dict(scoped(Team, organization_id).filter(pk__in=team_ids).values_list("pk", "name"))


def member_names(*, organization_id: int, membership_ids: Iterable[int]) -> dict[int, str]:
    """{membership id: the person's name, else their email} for the organization's
    memberships (active or not) among `membership_ids`."""
    people = (
        scoped(Membership, organization_id)
        .filter(pk__in=membership_ids)
        .values_list("pk", "user__full_name", "user__email")
    )
    return {pk: name or email for pk, name, email in people}


def membership_ids(*, organization_id: int) -> list[int]:
    """The ids of every membership (active or not) of the organization."""
    return list(scoped(Membership, organization_id).values_list("pk", flat=True))


# The links between members and teams (the table behind `Membership.teams`). Other apps
# read them here, as rows or as a subquery, and hear of their changes through
# `accounts.signals` (team_links_changed, team_deleted).
_TeamLink = Membership.teams.through


def teams_by_member(membership_ids: Iterable[int]) -> dict[int, list[int]]:
    """{membership id: [team id, ...]} for the memberships among `membership_ids` that are in
    at least one team (one query; none for no id)."""
    ids = set(membership_ids)
    if not ids:
        return {}
    result: dict[int, list[int]] = defaultdict(list)
    rows = _TeamLink.objects.filter(membership_id__in=ids)
    for membership_id, team_id in rows.values_list("membership_id", "team_id"):
        result[membership_id].append(team_id)
    return result


def team_member_ids(*, team_id: int) -> QuerySet[Any]:
    """The ids of the team's members, as a `values("membership_id")` queryset (a subquery)."""
    return _TeamLink.objects.filter(team_id=team_id).values("membership_id")


def team_links() -> QuerySet[Any]:
    """Every member-team link as `values("membership_id", "team_id")` rows: a queryset to
    compile and join in SQL (`sql_with_params`), restricted by the join."""
    return _TeamLink.objects.order_by().values("membership_id", "team_id")


def withdrawn_member_ids(membership_ids: Iterable[int]) -> set[int]:
    """Those of `membership_ids` who withdrew from the ambassador programme (opted in once,
    then out), or whose membership is no longer active: nothing is sent to them."""
    ids = list(membership_ids)
    withdrawn = AmbassadorProfile.objects.filter(
        membership_id__in=ids, opted_in=False, opted_out_at__isnull=False
    ).values_list("membership_id", flat=True)
    inactive = Membership.objects.filter(pk__in=ids, is_active=False).values_list("pk", flat=True)
    return set(withdrawn) | set(inactive)


def ambassador_ids_reading(*, organization_id: int, language: str) -> list[int]:
    """The organization's active, opted-in ambassadors whose feed shows content in
    `language` (their languages, or French and English when they chose none: as the feed)."""
    rows = (
        AmbassadorProfile.objects.filter(
            membership__in=scoped(Membership, organization_id).filter(is_active=True),
            opted_in=True,
        )
        .order_by("membership_id")
        .values_list("membership_id", "languages")
    )
    return [
        membership_id
        for membership_id, languages in rows.iterator(chunk_size=2000)
        if language in (languages or ["fr", "en"])
    ]


def ambassador_ids(*, organization_id: int) -> list[int]:
    """The ids of the organization's active, opted-in ambassadors (any language)."""
    return list(
        AmbassadorProfile.objects.filter(
            membership__in=scoped(Membership, organization_id).filter(is_active=True),
            opted_in=True,
        )
        .order_by("membership_id")
        .values_list("membership_id", flat=True)
    )


def member_locales(
    *, organization_id: int, membership_ids: Iterable[int]
) -> dict[int, tuple[str, str]]:
    """Each member's language (theirs, else the organization's) and time zone (theirs, or
    "" for the platform's), by membership id."""
    rows = (
        scoped(Membership, organization_id)
        .filter(pk__in=list(membership_ids))
        .values_list("pk", "user__language", "user__time_zone", "organization__default_language")
    )
    return {pk: (language or default or "en", tz or "") for pk, language, tz, default in rows}


# --- The administrator's home (workspace): people at a glance.


def login_locked(email: str) -> bool:
    """Whether the login throttle (django-axes) currently locks this account."""
    since = clock.now() - settings.AXES_COOLOFF_TIME
    failures = AccessAttempt.objects.filter(
        username=email.strip().lower(), attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return bool(failures and failures >= settings.AXES_FAILURE_LIMIT)
