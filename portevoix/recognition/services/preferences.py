"""How a person appears on the boards, and the organization's default."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped

from ..models import RecognitionPreference, RecognitionSettings, Visibility

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MAX_PSEUDONYM = 40


@transaction.atomic
def preference_set(
    *, membership: Membership, visibility: str, pseudonym: str = ""
) -> RecognitionPreference:
    """The member's own choice: by name, under a pseudonym, or not at all."""
    require(membership, "recognition.view")
    if visibility not in Visibility.values:
        message = _("Choose how you appear.")
        raise DomainError(message, field_errors={"visibility": [message]})
    pseudonym = " ".join(pseudonym.split())
    if len(pseudonym) > MAX_PSEUDONYM:
        message = _("At most %(count)s characters.") % {"count": MAX_PSEUDONYM}
        raise DomainError(message, field_errors={"pseudonym": [message]})
    preference = (
        scoped(RecognitionPreference, membership.organization_id)
        .select_for_update()
        .filter(membership_id=membership.pk)
        .first()
    )
    if preference is None:
        preference = RecognitionPreference(
            organization_id=membership.organization_id, membership=membership
        )
    preference.visibility = visibility
    preference.pseudonym = pseudonym
    preference.updated_at = clock.now()
    if preference.pk is None:
        preference.save()
    else:
        preference.save(update_fields=["visibility", "pseudonym", "updated_at"])
    return preference


@transaction.atomic
def default_visibility_set(*, actor: Membership, visibility: str) -> RecognitionSettings:
    """How members appear until they choose (an administrator's setting)."""
    require(actor, "recognition.manage")
    if visibility not in Visibility.values:
        message = _("Choose how members appear by default.")
        raise DomainError(message, field_errors={"default_visibility": [message]})
    settings, _created = RecognitionSettings.objects.get_or_create(
        organization_id=actor.organization_id
    )
    settings.default_visibility = visibility
    settings.save(update_fields=["default_visibility"])
    return settings
