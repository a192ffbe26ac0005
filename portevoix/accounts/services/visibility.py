"""How a person appears to others (by name, under a pseudonym, or not at all), and the
organization's default for those who did not choose."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.core import clock
from portevoix.core.errors import DomainError, NotFound

from .. import frame
from ..models import AmbassadorProfile, Membership, Organization, Visibility
from ..permissions import require

MAX_PSEUDONYM = AmbassadorProfile._meta.get_field("pseudonym").max_length or 40


@transaction.atomic
def visibility_set(
    *, membership: Membership, visibility: str, pseudonym: str = ""
) -> AmbassadorProfile:
    """The member's own choice, for every page, export and API answer that names people.
    `visibility` "" goes back to the organization's default. Idempotent: the same choice
    again writes nothing."""
    require(membership, "ambassador.enrol")
    if visibility and visibility not in Visibility.values:
        message = _("Choose how you appear.")
        raise DomainError(message, field_errors={"visibility": [message]})
    pseudonym = " ".join(pseudonym.split())
    if len(pseudonym) > MAX_PSEUDONYM:
        message = _("At most %(count)s characters.") % {"count": MAX_PSEUDONYM}
        raise DomainError(message, field_errors={"pseudonym": [message]})
    profile, _created = AmbassadorProfile.objects.select_for_update().get_or_create(
        membership=membership
    )
    if profile.visibility == visibility and profile.pseudonym == pseudonym:
        return profile
    profile.visibility = visibility
    profile.pseudonym = pseudonym
    profile.visibility_updated_at = clock.now()
    profile.save(update_fields=["visibility", "pseudonym", "visibility_updated_at"])
    # Kept pages that name ambassadors (the analytics dashboard's top people: docs/decisions/
    # 0036-page-body-cache.md) follow the choice on their next view.
    frame.bump_organization(membership.organization_id)
    return profile


@transaction.atomic
def default_visibility_set(*, actor: Membership, visibility: str) -> Organization:
    """How the organization's members appear until they choose (an administrator's
    setting)."""
    require(actor, "org.manage")
    if visibility not in Visibility.values:
        message = _("Choose how members appear by default.")
        raise DomainError(message, field_errors={"default_visibility": [message]})
    organization = Organization.objects.select_for_update().filter(pk=actor.organization_id)
    found = organization.first()
    if found is None:
        raise NotFound(_("Not found."))
    if found.default_visibility != visibility:
        found.default_visibility = visibility
        found.save(update_fields=["default_visibility"])
    return found
