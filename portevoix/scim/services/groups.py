"""SCIM Groups: the organization's teams, named and filled by the directory."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from scim2_models import Group, InvalidValueException, NotFoundException, UniquenessException

from portevoix.accounts import services as accounts
from portevoix.core.errors import Conflict
from portevoix.governance import gates

from .. import resources
from ..models import ScimGroup
from .users import directory_users
from .users import link_of as link_of_member


def link_of(team: Any) -> ScimGroup | None:
    try:
        return team.scim_group
    except ScimGroup.DoesNotExist:
        return None


def directory_groups(*, organization: Any) -> QuerySet[Any]:
    return (
        accounts.directory_teams(organization=organization)
        .select_related("scim_group")
        .prefetch_related("memberships__user", "memberships__scim_user")
    )


def directory_group(*, organization: Any, pk: str) -> Any:
    found = (
        directory_groups(organization=organization).filter(pk=pk).first() if pk.isdigit() else None
    )
    if found is None:
        raise NotFoundException(detail=f"Group {pk} not found")
    return found


def members_of(team: Any) -> list[tuple[int, str]]:
    """The team's members as (id, display name): the directory's displayName if it gave one."""
    found = []
    for membership in team.memberships.all():
        link = link_of_member(membership)
        display = (link.display_name if link else "") or membership.user.display_name
        found.append((membership.pk, display))
    return sorted(found)


def _members(organization: Any, group: Group) -> list[int]:
    ids = resources.member_ids(group)
    if not all(i.isdigit() for i in ids):
        raise InvalidValueException(detail="A member value is not a User id of this service")
    wanted = {int(i) for i in ids}
    found = set(
        directory_users(organization=organization)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    if found != wanted:
        raise InvalidValueException(detail="A member is not a User of this organization")
    return sorted(wanted)


def _save_link(organization: Any, team: Any, group: Group) -> bool:
    external_id = (group.external_id or "")[:254]
    link = ScimGroup.objects.filter(team=team).first()
    if link is None:
        ScimGroup.objects.create(organization=organization, team=team, external_id=external_id)
        return True
    if link.external_id != external_id:
        link.external_id = external_id
        link.save(update_fields=["external_id", "updated_at"])
        return True
    return False


def _audit(organization: Any, action: str, team: Any, after: Any) -> None:
    gates.audit_record(
        organization=organization,
        actor=None,
        action=action,
        object_type="scim.group",
        object_id=team.pk,
        before=None,
        after=after,
    )


@transaction.atomic
def group_create(*, organization: Any, group: Group) -> Any:
    if not group.display_name:
        raise InvalidValueException(detail="displayName is required")
    members = _members(organization, group)
    try:
        team = accounts.directory_team_create(organization=organization, name=group.display_name)
    except Conflict as exc:
        raise UniquenessException(detail="A team has this displayName already") from exc
    _save_link(organization, team, group)
    joined, _left = accounts.directory_team_members_set(team=team, membership_ids=members)
    _audit(organization, "scim.group_create", team, {"name": team.name, "joined": joined})
    return directory_group(organization=organization, pk=str(team.pk))


@transaction.atomic
def group_replace(*, organization: Any, team: Any, group: Group) -> Any:
    if not group.display_name:
        raise InvalidValueException(detail="displayName is required")
    members = _members(organization, group)
    try:
        renamed = accounts.directory_team_rename(team=team, name=group.display_name)
    except Conflict as exc:
        raise UniquenessException(detail="A team has this displayName already") from exc
    linked = _save_link(organization, team, group)
    joined, left = accounts.directory_team_members_set(team=team, membership_ids=members)
    if renamed or linked or joined or left:
        after = {"name": team.name, "joined": joined, "left": left}
        _audit(organization, "scim.group_update", team, after)
    return directory_group(organization=organization, pk=str(team.pk))


@transaction.atomic
def group_delete(*, organization: Any, team: Any) -> None:
    _audit(organization, "scim.group_delete", team, {"name": team.name})
    accounts.directory_team_delete(team=team)
