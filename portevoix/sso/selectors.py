"""Reads of single sign-on: the settings page's provider, which organization's provider an
email address belongs to (by its domain), and our SAML service provider's URLs and metadata."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache

from portevoix.accounts.permissions import require
from portevoix.core.tenancy import get_scoped, scoped

from . import saml, saml_sp
from .models import IdentityProvider, Protocol, SsoDomain

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def email_domain(email: str) -> str:
    """The domain of an address, lowercased ("" when there is none)."""
    _local, at, domain = email.strip().rpartition("@")
    return domain.lower().rstrip(".") if at and _local else ""


def provider_page(*, membership: Membership) -> IdentityProvider | None:
    """The organization's provider with its domains, for its admins (`sso.manage`)."""
    require(membership, "sso.manage")
    return scoped(IdentityProvider, membership.organization_id).prefetch_related("domains").first()


def provider_of(*, membership: Membership, pk: int) -> IdentityProvider:
    """The provider `pk` of the member's organization (404 for any other), for its admins."""
    provider = get_scoped(IdentityProvider, membership.organization_id, pk=pk)
    require(membership, "sso.manage", provider)
    return provider


def provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider of the organization that owns the address's domain."""
    domain = email_domain(email)
    if not domain:
        return None
    row = (
        SsoDomain.objects.select_related("provider__organization")
        .filter(domain=domain, provider__enabled=True)
        .first()
    )
    return row.provider if row else None


def domains_of(provider: IdentityProvider) -> list[str]:
    return sorted(d.domain for d in provider.domains.all())


def has_provider(*, organization_id: int) -> bool:
    return scoped(IdentityProvider, organization_id).filter(enabled=True).exists()


def saml_provider_by_key(key: str) -> IdentityProvider | None:
    """The SAML provider whose public key (in our SP's URLs) is `key`."""
    if not key:
        return None
    return (
        IdentityProvider.objects.select_related("organization")
        .filter(saml_key=key, protocol=Protocol.SAML)
        .first()
    )


@dataclass(frozen=True)
class SamlSp:
    """What the admin gives the IdP: our entity ID (also the metadata URL) and ACS URL."""

    entity_id: str
    acs_url: str


def saml_sp_urls(provider: IdentityProvider) -> SamlSp | None:
    if provider.protocol != Protocol.SAML or not provider.saml_key:
        return None
    entity_id, acs_url = saml_sp.sp_urls(provider)
    return SamlSp(entity_id=entity_id, acs_url=acs_url)


METADATA_CACHE_SECONDS = 3600


def saml_sp_metadata(provider: IdentityProvider) -> str:
    """Our SP metadata XML for the organization (public: it is meant for the IdP), kept an
    hour in the cache (making it runs xmlsec1) until the settings or SITE_URL change."""
    entity_id, acs_url = saml_sp.sp_urls(provider)
    key = (
        "sso:saml-metadata:"
        + hashlib.sha256(
            f"{provider.pk}|{provider.updated_at.isoformat()}|{entity_id}".encode()
        ).hexdigest()
    )
    cached = cache.get(key)
    if isinstance(cached, str):
        return cached
    xml = saml.sp_metadata(
        saml.ServiceProvider(
            entity_id=entity_id, acs_url=acs_url, key_pem="", cert_pem=provider.saml_sp_cert
        )
    )
    cache.set(key, xml, METADATA_CACHE_SECONDS)
    return xml
