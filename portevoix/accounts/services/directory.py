"""People who arrive from an organization's directory (single sign-on): the account and the
membership made on their first visit, and their name, job title and teams as the directory
says. Never an ambassador: opting in stays the person's own choice."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped

from .. import signals
from ..middleware import SESSION_KEY
from ..models import Membership, Organization, Team, User


@dataclass
class DirectoryPerson:
    email: str
    full_name: str = ""
    title: str = ""
    # Team names as the directory gives them; matched to the organization's teams by name.
    team_names: list[str] = field(default_factory=list)


@dataclass
class DirectoryOutcome:
    membership: Membership
    user_created: bool
    membership_created: bool
    teams_added: list[str]


def directory_user(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


@transaction.atomic
def directory_member_sync(
    *, organization: Organization, person: DirectoryPerson
) -> DirectoryOutcome:
    """The person's account and active membership in `organization`, made when missing,
    with the directory's name, title and teams applied (teams are added, never removed:
    an admin's own choices stay). A deactivated membership stays deactivated."""
    email = person.email.strip().lower()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    user_created = user is None
    if user is None:
        user = User.objects.create_user(email)  # no usable password: the directory logs in
    if not user.is_active:
        raise DomainError(_("This account is deactivated."))
    if user.is_staff or user.is_superuser:
        raise DomainError(_("Platform staff log in with their password."))
    full_name = person.full_name.strip()[:150]
    if full_name and full_name != user.full_name:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
    membership, membership_created = scoped(Membership, organization).get_or_create(
        user=user, defaults={"organization": organization}
    )
    if not membership.is_active:
        raise DomainError(_("Your membership of this organization is deactivated."))
    if membership_created:
        signals.announce_member_joined(membership)
    title = person.title.strip()[:120]
    if title and title != membership.title:
        membership.title = title
        membership.save(update_fields=["title"])
    wanted = {name.strip().casefold() for name in person.team_names if name.strip()}
    teams = [t for t in scoped(Team, organization) if t.name.casefold() in wanted]
    present = set(membership.teams.values_list("pk", flat=True))
    new_teams = [t for t in teams if t.pk not in present]
    if new_teams:
        membership.teams.add(*new_teams)
    return DirectoryOutcome(
        membership=membership,
        user_created=user_created,
        membership_created=membership_created,
        teams_added=sorted(t.name for t in new_teams),
    )


# Set in a session whose login went through an organization's identity provider (its id).
SSO_LOGIN_SESSION_KEY = "_portevoix_sso_login"


def organization_remember(session: SessionBase, organization_id: int) -> None:
    """Act in this organization from now on (after logging in through its directory), and
    remember that this session's login went through the organization's identity provider:
    the two-step policy is about password logins (the provider owns the second factor)."""
    session[SESSION_KEY] = organization_id
    session[SSO_LOGIN_SESSION_KEY] = organization_id
