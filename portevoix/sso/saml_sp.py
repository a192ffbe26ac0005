"""Our SAML service provider for an organization: its URLs (the entity ID is the public
metadata URL, under SITE_URL, with the provider's random public key rather than an id) and
the pysaml2 settings with its key pair (the private key unsealed for the call only)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from portevoix.core import crypto

from . import saml
from .models import IdentityProvider


def sp_urls(provider: IdentityProvider) -> tuple[str, str]:
    """Our entity ID (the public metadata URL) and our ACS URL for the organization."""
    site = settings.SITE_URL.rstrip("/")
    return (
        site + reverse("sso:saml_metadata", args=[provider.saml_key]),
        site + reverse("sso:saml_acs", args=[provider.saml_key]),
    )


def service_provider(
    provider: IdentityProvider, *, unsolicited: bool = False
) -> saml.ServiceProvider:
    entity_id, acs_url = sp_urls(provider)
    try:
        key_pem = crypto.decrypt(provider.saml_sp_key_sealed)
    except crypto.DecryptionError as exc:
        raise saml.SamlError(_("Single sign-on is not set up correctly."), detail="sp key") from exc
    return saml.ServiceProvider(
        entity_id=entity_id,
        acs_url=acs_url,
        key_pem=key_pem,
        cert_pem=provider.saml_sp_cert,
        idp_metadata=provider.saml_idp_metadata,
        allow_unsolicited=unsolicited,
    )
