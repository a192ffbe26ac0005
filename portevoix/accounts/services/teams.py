"""Teams: create, rename, delete."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.core.errors import Conflict, DomainError
from portevoix.core.tenancy import scoped

from ..models import (
    Membership,
    Team,
)
from ..permissions import require

# --- Teams


@transaction.atomic
def team_create(*, actor: Membership, name: str, kind: str = "department") -> Team:
    require(actor, "team.manage")
    name = name.strip()
    if not name:
        raise DomainError(_("A name is required."), field_errors={"name": [_("Required.")]})
    if kind not in dict(Team.KIND_CHOICES):
        raise DomainError(_("Unknown kind."), field_errors={"kind": [_("Unknown kind.")]})
    if scoped(Team, actor.organization).filter(name__iexact=name).exists():
        raise Conflict(
            _("A team has this name already."), field_errors={"name": [_("Already exists.")]}
        )
    return Team.objects.create(organization=actor.organization, name=name, kind=kind)


@transaction.atomic
def team_update(
    *, actor: Membership, team: Team, name: str | None = None, kind: str | None = None
) -> Team:
    require(actor, "team.manage", team)
    if name is not None:
        name = name.strip()
        if not name:
            raise DomainError(_("A name is required."), field_errors={"name": [_("Required.")]})
        same_name = scoped(Team, team.organization).filter(name__iexact=name)
        if same_name.exclude(pk=team.pk).exists():
            raise Conflict(
                _("A team has this name already."), field_errors={"name": [_("Already exists.")]}
            )
        team.name = name
    if kind is not None:
        if kind not in dict(Team.KIND_CHOICES):
            raise DomainError(_("Unknown kind."), field_errors={"kind": [_("Unknown kind.")]})
        team.kind = kind
    team.save(update_fields=["name", "kind"])
    return team


@transaction.atomic
def team_delete(*, actor: Membership, team: Team) -> None:
    require(actor, "team.manage", team)
    team.delete()
