"""Reads of single sign-on: the settings page's provider, and which organization's provider
an email address belongs to (by its domain)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portevoix.accounts.permissions import require
from portevoix.core.tenancy import get_scoped, scoped

from .models import IdentityProvider, SsoDomain

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
