"""Who a provider's answer signs in, the same for OpenID Connect and SAML: the address must
be confirmed by the provider and of a domain the organization owns; the account and the
membership are made on the first visit (never as an ambassador: `accounts`' directory does
it), the name, job title and teams come from the attributes the admin named, and a new
membership is audited."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts import services as account_services
from portevoix.core.errors import DomainError
from portevoix.governance import gates

from . import selectors
from .errors import SignInError

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

    from .models import IdentityProvider

logger = logging.getLogger("portevoix.sso")


@dataclass(frozen=True)
class Identity:
    """What the provider says of the person: the address (and whether the provider
    vouches for it) and the other attributes, by name (a value or a list of values)."""

    email: str
    email_verified: bool
    attributes: Mapping[str, Any] = field(default_factory=dict)


def refused(provider: IdentityProvider | None, exc: SignInError) -> DomainError:
    """The error for the person (logged with the organization id, never the answer)."""
    logger.warning(
        "sso_refused organization=%s reason=%s",
        provider.organization_id if provider else None,
        exc.detail or exc.message,
        extra={"event": "sso_refused"},
    )
    return DomainError(exc.message)


def text(attributes: Mapping[str, Any], name: str) -> str:
    """The attribute's text (the first value of a list)."""
    value = attributes.get(name) if name else None
    if isinstance(value, list | tuple):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return value.strip() if isinstance(value, str) else ""


def groups(attributes: Mapping[str, Any], name: str) -> list[str]:
    value = attributes.get(name) if name else None
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple):
        return []
    return [str(v).strip() for v in value if isinstance(v, str | int) and str(v).strip()][:200]


def member_signed_in(provider: IdentityProvider, identity: Identity) -> Membership:
    """The member `identity` signs in to the provider's organization (made when new)."""
    email = identity.email.strip().lower()
    if not email or not identity.email_verified:
        raise refused(
            provider,
            SignInError(
                _("Your identity provider did not confirm your email address."), detail="email"
            ),
        )
    if selectors.email_domain(email) not in selectors.domains_of(provider):
        raise refused(
            provider,
            SignInError(
                _("%(email)s is not an address of %(organization)s: ask your administrator.")
                % {"email": email, "organization": provider.organization.name},
                detail="domain not owned",
            ),
        )
    person = account_services.DirectoryPerson(
        email=email,
        full_name=text(identity.attributes, provider.claim_name),
        title=text(identity.attributes, provider.claim_title),
        team_names=groups(identity.attributes, provider.claim_groups),
    )
    with transaction.atomic():
        outcome = account_services.directory_member_sync(
            organization=provider.organization, person=person
        )
        if outcome.membership_created:
            gates.audit_record(
                organization=provider.organization,
                actor=outcome.membership,
                action="sso.member_joined",
                object_type="sso_member",
                object_id=outcome.membership.pk,
                before=None,
                after={"new_account": outcome.user_created, "teams": outcome.teams_added},
            )
    return outcome.membership
