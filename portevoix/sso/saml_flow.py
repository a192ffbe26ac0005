"""Signing in with SAML 2.0: our service provider for an organization, the request we send
(remembered in the database until answered, used once), the Response posted to our ACS, and
the store of the response and assertion IDs already used (until they expire: a replay is
refused, even two copies at once on two servers, by the database's unique constraint).

The session cookie is SameSite=Lax, so the IdP's cross-site POST to the ACS comes without
it: the request a Response answers is found by its InResponseTo in the database, not in the
session. A Response without InResponseTo is IdP-initiated: accepted only when the
organization allows it, and only from its own IdP (the one whose metadata was pasted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portevoix.core import clock
from portevoix.core.errors import DomainError

from . import people, saml
from .models import IdentityProvider, Protocol, SamlRequest, SamlSeenId
from .saml_sp import service_provider

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

REQUEST_MAX_AGE = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class SignedIn:
    membership: Membership
    next_url: str  # a path of this site, or ""


def start(provider: IdentityProvider, *, next_url: str) -> str:
    """The IdP's URL with our signed AuthnRequest; the request is remembered (10 minutes)."""
    request_id, url = saml.authn_request(service_provider(provider), relay_state="")
    now = clock.now()
    SamlRequest.objects.filter(provider=provider, expires_at__lte=now).delete()
    SamlRequest.objects.create(
        organization_id=provider.organization_id,
        provider=provider,
        request_id=request_id,
        next_url=next_url[:2000],
        expires_at=now + REQUEST_MAX_AGE,
    )
    return url


def _take_request(provider: IdentityProvider, request_id: str) -> SamlRequest | None:
    """The request `request_id` of this provider, once: deleted as it is taken, so two
    copies of its answer posted at once get it only once."""
    row = SamlRequest.objects.filter(
        provider=provider, request_id=request_id, expires_at__gt=clock.now()
    ).first()
    if row is None or SamlRequest.objects.filter(pk=row.pk).delete()[0] != 1:
        return None
    return row


def first_use(provider: IdentityProvider, ids: list[str], *, until: dt.datetime) -> bool:
    """Record the IDs of an accepted Response and its assertion until `until`; False when
    one was already recorded (a replay). The expired ones are forgotten on the way."""
    now = clock.now()
    SamlSeenId.objects.filter(provider=provider, expires_at__lte=now).delete()
    rows = [
        SamlSeenId(
            organization_id=provider.organization_id,
            provider=provider,
            message_id=message_id,
            expires_at=until,
        )
        for message_id in dict.fromkeys(i for i in ids if i)
    ]
    if not rows:
        return False
    try:
        with transaction.atomic():
            SamlSeenId.objects.bulk_create(rows)
    except IntegrityError:
        return False
    return True


def _relay_path(relay_state: str) -> str:
    """An IdP-initiated RelayState, kept only when it is a path of this site."""
    value = relay_state.strip()
    if value.startswith("/") and not value.startswith(("//", "/\\")) and len(value) <= 2000:
        return value
    return ""


def _refused(provider: IdentityProvider | None, message: str, detail: str) -> DomainError:
    return people.refused(provider, saml.SamlError(message, detail=detail))


def finish(*, key: str, saml_response: str, relay_state: str) -> SignedIn:
    provider = (
        IdentityProvider.objects.select_related("organization")
        .filter(saml_key=key, protocol=Protocol.SAML, enabled=True)
        .first()
        if key
        else None
    )
    if provider is None:
        raise _refused(
            None, _("Single sign-on is no longer set up for this organization."), "no provider"
        )
    try:
        answering = saml.in_response_to(saml_response)
        next_url = ""
        if answering:
            request = _take_request(provider, answering)
            if request is None:
                raise _refused(
                    provider,
                    _("This sign-in has expired or was not started here. Start again."),
                    "unknown request",
                )
            next_url = request.next_url
        elif not provider.saml_allow_idp_initiated:
            raise _refused(
                provider,
                _("Start from Portevoix: use “Continue with single sign-on” on the login page."),
                "idp-initiated not allowed",
            )
        else:
            next_url = _relay_path(relay_state)
        sp = service_provider(provider, unsolicited=not answering)
        outstanding = {answering: next_url} if answering else {}
        assertion = saml.parse_response(sp, saml_response, outstanding=outstanding)
    except saml.SamlError as exc:
        raise people.refused(provider, exc) from exc
    if not first_use(
        provider, [assertion.response_id, assertion.assertion_id], until=assertion.expires_at
    ):
        raise _refused(
            provider, _("This sign-in was already used. Start again."), "replayed assertion"
        )
    email = people.text(assertion.attributes, provider.claim_email)
    if not email and assertion.name_id_format == saml.NAMEID_FORMAT_EMAILADDRESS:
        email = assertion.name_id
    identity = people.Identity(
        email=email,
        # The IdP's signed assertion vouches for the address; its domain must still be one
        # the organization owns.
        email_verified=bool(email),
        attributes=assertion.attributes,
    )
    membership = people.member_signed_in(provider, identity)
    return SignedIn(membership=membership, next_url=next_url)
