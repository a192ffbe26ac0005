"""Members: join an organization, roles, teams, title and active status."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError
from portevoix.core.tenancy import scoped

from .. import signals
from ..models import (
    Membership,
    MembershipRole,
    Organization,
    Team,
    User,
)
from ..permissions import forget_roles, require
from ..roles import ASSIGNABLE_ROLE_CODES, Role


def clean_roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in ASSIGNABLE_ROLE_CODES]
    if unknown:
        raise DomainError(
            _("Unknown or non-assignable role: %(roles)s.") % {"roles": ", ".join(unknown)},
            field_errors={
                "roles": [
                    _("Ambassadors opt in themselves; other roles are: ")
                    + ", ".join(sorted(ASSIGNABLE_ROLE_CODES))
                ]
            },
        )
    return sorted(set(roles))


@transaction.atomic
def membership_add(
    *,
    organization: Organization,
    user: User,
    roles: list[str] | None = None,
    team_ids: list[int] | None = None,
    title: str = "",
) -> Membership:
    clean = clean_roles(roles or [])
    membership, created = scoped(Membership, organization).get_or_create(
        user=user, defaults={"organization": organization, "title": title}
    )
    if not membership.is_active:
        membership.is_active = True
        membership.left_at = None
        membership.save(update_fields=["is_active", "left_at"])
        created = True
    if created:
        signals.announce_member_joined(membership)
    for role in clean:
        MembershipRole.objects.get_or_create(membership=membership, role=role)
    if team_ids:
        membership.teams.add(*scoped(Team, organization).filter(pk__in=team_ids))
    return membership


@transaction.atomic
def membership_update(
    *,
    actor: Membership,
    membership: Membership,
    roles: list[str] | None = None,
    team_ids: list[int] | None = None,
    title: str | None = None,
    is_active: bool | None = None,
) -> Membership:
    require(actor, "member.manage", membership)
    org = membership.organization
    if roles is not None:
        clean = clean_roles(roles)
        if Role.ADMIN not in clean and membership.role_rows.filter(role=Role.ADMIN).exists():
            _ensure_other_admin(org, membership)
        membership.role_rows.exclude(role__in=[*clean, Role.AMBASSADOR]).delete()
        for role in clean:
            MembershipRole.objects.get_or_create(membership=membership, role=role)
    if team_ids is not None:
        teams = list(scoped(Team, org).filter(pk__in=team_ids))
        if len(teams) != len(set(team_ids)):
            raise DomainError(_("Unknown team."), field_errors={"team_ids": [_("Unknown team.")]})
        membership.teams.set(teams)
    fields = []
    if title is not None:
        membership.title = title[:120]
        fields.append("title")
    if is_active is not None and is_active != membership.is_active:
        if not is_active and membership.role_rows.filter(role=Role.ADMIN).exists():
            _ensure_other_admin(org, membership)
        if is_active and membership.erased_at is not None:
            raise Conflict(_("This person's data was erased: invite them again instead."))
        membership.is_active = is_active
        membership.left_at = None if is_active else clock.now()
        fields += ["is_active", "left_at"]
    if fields:
        membership.save(update_fields=fields)
    forget_roles(membership)
    return membership


def _ensure_other_admin(org: Organization, membership: Membership) -> None:
    active = scoped(Membership, org).filter(is_active=True).exclude(pk=membership.pk)
    others = MembershipRole.objects.filter(membership__in=active, role=Role.ADMIN)
    if not others.exists():
        raise Conflict(_("An organization keeps at least one active administrator."))
