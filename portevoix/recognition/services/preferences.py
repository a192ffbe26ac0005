"""How a person appears on the boards, and the organization's default: one choice, kept
by accounts for every page, export and API answer (analytics reads it too)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from portevoix.accounts import services as accounts_services
from portevoix.accounts.permissions import require
from portevoix.accounts.selectors import Visibility
from portevoix.core.errors import DomainError

if TYPE_CHECKING:
    from portevoix.accounts.models import AmbassadorProfile, Membership, Organization

MAX_PSEUDONYM = accounts_services.MAX_PSEUDONYM


def preference_set(
    *, membership: Membership, visibility: str, pseudonym: str = ""
) -> AmbassadorProfile:
    """The member's own choice: by name, under a pseudonym, or not at all."""
    require(membership, "recognition.view")
    if visibility not in Visibility.values:  # here one of the three, never "the default"
        message = _("Choose how you appear.")
        raise DomainError(message, field_errors={"visibility": [message]})
    return accounts_services.visibility_set(
        membership=membership, visibility=visibility, pseudonym=pseudonym
    )


def default_visibility_set(*, actor: Membership, visibility: str) -> Organization:
    """How members appear until they choose (an administrator's setting)."""
    require(actor, "recognition.manage")
    return accounts_services.default_visibility_set(actor=actor, visibility=visibility)
