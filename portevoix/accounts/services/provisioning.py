"""Directory provisioning (SCIM): people and teams written by an organization's identity
provider rather than by a person.

The caller (the `scim` app) has authenticated the organization's directory token, holds the
transaction and writes the audit entry beside each change. What these functions keep true:

- a provisioned person is a plain member: no role, and never an ambassador (enrolment stays
  the person's own choice);
- deprovisioning deactivates the membership, never deletes it, and withdraws the person from
  the ambassador programme with the reason recorded on the consent history;
- the directory changes a person's account (email, name) only when that person belongs to this
  organization alone: another organization's directory never renames someone it shares.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError
from portevoix.core.tenancy import scoped

from .. import signals
from ..models import (
    AmbassadorProfile,
    ConsentEvent,
    Membership,
    Organization,
    Team,
    User,
)
from ..permissions import forget_roles
from .members import _ensure_other_admin

DEPROVISION_REASON = "deprovisioned by the directory"


# --- Reads the directory sync needs (scoped to the token's organization)


def directory_members(*, organization: Organization) -> QuerySet[Membership]:
    return scoped(Membership, organization).select_related("user").order_by("pk")


def directory_teams(*, organization: Organization) -> QuerySet[Team]:
    return scoped(Team, organization).order_by("pk")


def directory_team_member_ids(*, team: Team) -> list[int]:
    return list(team.memberships.order_by("pk").values_list("pk", flat=True))


def directory_active_count(*, organization: Organization) -> int:
    return scoped(Membership, organization).filter(is_active=True).count()


def directory_user_org_count(*, membership: Membership) -> int:
    return (
        Membership.objects.filter(user_id=membership.user_id)
        .aggregate(n=Count("organization_id", distinct=True))
        .get("n")
        or 0
    )


# --- People


def _clean_email(email: str) -> str:
    email = User.objects.normalize_email(email.strip()).lower()
    if "@" not in email or len(email) > 254:
        raise DomainError(_("Enter a valid email address."), field_errors={"email": ["invalid"]})
    return email


@transaction.atomic
def member_provision(
    *, organization: Organization, email: str, full_name: str = "", title: str = ""
) -> Membership:
    """The directory adds a person: an account (without a password) when the email has none,
    and an active membership with no role. Idempotent for an email already a member."""
    email = _clean_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, None, full_name=full_name.strip()[:150])
        except IntegrityError:  # a concurrent request created it
            user = User.objects.get(email__iexact=email)
    membership, created = scoped(Membership, organization).get_or_create(
        user=user, defaults={"organization": organization, "title": title.strip()[:120]}
    )
    if not created and not membership.is_active:
        member_reactivate(membership=membership)
    return membership


@transaction.atomic
def member_identity_update(
    *,
    membership: Membership,
    email: str | None = None,
    full_name: str | None = None,
    title: str | None = None,
) -> list[str]:
    """Change what the directory says of a person; returns the names of the changed fields.
    The account's email and name change only for a person of this organization alone."""
    changed: list[str] = []
    if title is not None and title.strip()[:120] != membership.title:
        membership.title = title.strip()[:120]
        membership.save(update_fields=["title"])
        changed.append("title")
    user = membership.user
    alone = directory_user_org_count(membership=membership) <= 1
    user_fields: list[str] = []
    if email is not None and alone:
        email = _clean_email(email)
        if email != user.email:
            if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
                raise Conflict(_("Another account has this email address."))
            user.email = email
            user_fields.append("email")
    if full_name is not None and alone and full_name.strip()[:150] != user.full_name:
        user.full_name = full_name.strip()[:150]
        user_fields.append("full_name")
    if user_fields:
        user.save(update_fields=user_fields)
        changed.extend(user_fields)
    return changed


@transaction.atomic
def member_deprovision(*, membership: Membership, reason: str = DEPROVISION_REASON) -> bool:
    """Deactivate the membership (never delete it) and withdraw the person from the
    ambassador programme with `reason` recorded. True when something changed."""
    changed = False
    if membership.is_active:
        if membership.role_rows.filter(role="admin").exists():
            _ensure_other_admin(membership.organization, membership)
        membership.is_active = False
        membership.left_at = clock.now()
        membership.save(update_fields=["is_active", "left_at"])
        changed = True
    profile = AmbassadorProfile.objects.select_for_update().filter(membership=membership).first()
    if profile is not None and profile.opted_in:
        now = clock.now()
        profile.opted_in = False
        profile.opted_out_at = now
        profile.save(update_fields=["opted_in", "opted_out_at"])
        ConsentEvent.objects.create(
            organization_id=membership.organization_id,
            membership=membership,
            kind="opt_out",
            at=now,
            reason=reason[:80],
        )
        organization_id, membership_id = membership.organization_id, membership.pk
        transaction.on_commit(
            lambda: signals.ambassador_withdrew.send(
                sender=AmbassadorProfile,
                organization_id=organization_id,
                membership_id=membership_id,
            )
        )
        changed = True
    forget_roles(membership)
    return changed


@transaction.atomic
def member_reactivate(*, membership: Membership) -> bool:
    """The directory brings a person back: active again, still not an ambassador (they opt in
    again themselves if they wish)."""
    if membership.is_active or membership.erased_at is not None:
        return False
    membership.is_active = True
    membership.left_at = None
    membership.save(update_fields=["is_active", "left_at"])
    forget_roles(membership)
    return True


def ambassador_status(*, membership: Membership) -> tuple[bool, str]:
    """Whether the person is an opted-in ambassador, and the reason of their last withdrawal."""
    profile = AmbassadorProfile.objects.filter(membership=membership).first()
    last = (
        ConsentEvent.objects.filter(membership=membership, kind="opt_out").order_by("-at").first()
    )
    return bool(profile and profile.opted_in), (last.reason if last else "")


# --- Teams (SCIM groups)


def _team_name(organization: Organization, name: str, team: Team | None = None) -> str:
    name = name.strip()[:120]
    if not name:
        raise DomainError(_("A name is required."), field_errors={"name": [_("Required.")]})
    same = scoped(Team, organization).filter(name__iexact=name)
    if team is not None:
        same = same.exclude(pk=team.pk)
    if same.exists():
        raise Conflict(_("A team has this name already."))
    return name


@transaction.atomic
def directory_team_create(*, organization: Organization, name: str) -> Team:
    name = _team_name(organization, name)
    return Team.objects.create(organization=organization, name=name, kind="department")


@transaction.atomic
def directory_team_rename(*, team: Team, name: str) -> bool:
    name = _team_name(team.organization, name, team)
    if name == team.name:
        return False
    team.name = name
    team.save(update_fields=["name"])
    return True


@transaction.atomic
def directory_team_members_set(*, team: Team, membership_ids: list[int]) -> tuple[int, int]:
    """Make the team's members exactly these members of its organization; returns how many
    joined and left. An id of another organization is refused."""
    wanted = set(membership_ids)
    found = set(
        scoped(Membership, team.organization_id).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    if found != wanted:
        raise DomainError(_("Unknown member."), field_errors={"members": ["unknown"]})
    current = set(team.memberships.values_list("pk", flat=True))
    joined, left = wanted - current, current - wanted
    if left:
        team.memberships.remove(*left)
    if joined:
        team.memberships.add(*joined)
    return len(joined), len(left)


@transaction.atomic
def directory_team_delete(*, team: Team) -> None:
    team.delete()
