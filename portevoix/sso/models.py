"""An organization's identity provider (OpenID Connect or SAML 2.0), the email domains it
owns, and SAML's two short-lived records: the requests we sent (until answered) and the IDs
of the responses and assertions already used (until they expire: no replay)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned


class Protocol(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")


class IdentityProvider(OrgOwned):
    """One per organization. The OIDC client secret and the SAML key are sealed with
    `core.crypto`; everything else (domains, enforcement, break-glass, attribute mapping) is
    the same for both protocols."""

    protocol = models.CharField(max_length=8, choices=Protocol.choices, default=Protocol.OIDC)
    # OpenID Connect
    issuer = models.URLField(_("issuer"), max_length=500, blank=True)
    client_id = models.CharField(_("client ID"), max_length=255, blank=True)
    client_secret_sealed = models.TextField(blank=True)
    # SAML 2.0: the IdP's metadata as the admin pasted it, and our service provider's key
    # pair (made on the first SAML save; the private key sealed, the certificate public).
    saml_idp_metadata = models.TextField(blank=True)
    saml_idp_entity_id = models.CharField(max_length=500, blank=True)
    saml_sp_key_sealed = models.TextField(blank=True)
    saml_sp_cert = models.TextField(blank=True)
    # The public part of our SP's URLs (entity ID = metadata URL, ACS): not the database id.
    saml_key = models.CharField(max_length=32, blank=True, db_index=True)
    saml_allow_idp_initiated = models.BooleanField(default=False)
    claim_email = models.CharField(max_length=200, blank=True, default="email")
    enabled = models.BooleanField(_("enabled"), default=True)
    # Password login refused for the organization's domains, except the break-glass account.
    enforced = models.BooleanField(_("single sign-on required"), default=False)
    break_glass_email = models.EmailField(_("break-glass account"), blank=True)
    claim_name = models.CharField(max_length=200, default="name")
    claim_title = models.CharField(max_length=200, blank=True, default="job_title")
    claim_groups = models.CharField(max_length=200, blank=True, default="groups")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="sso_one_provider_per_org")
        ]

    def __str__(self) -> str:
        return self.saml_idp_entity_id if self.protocol == Protocol.SAML else self.issuer


class SsoDomain(OrgOwned):
    """An email domain the organization owns: a domain belongs to one organization only."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    def __str__(self) -> str:
        return self.domain


class SamlRequest(OrgOwned):
    """An AuthnRequest we sent, until its response comes back (used once) or it expires."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    request_id = models.CharField(max_length=100, unique=True)
    next_url = models.CharField(max_length=2000, blank=True)
    expires_at = models.DateTimeField(db_index=True)


class SamlSeenId(OrgOwned):
    """The ID of a response or assertion already accepted, kept until the assertion expires:
    inserting it twice fails on the unique constraint, so a replay is refused even when two
    copies arrive at once on two servers."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=100)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "message_id"], name="sso_saml_seen_once")
        ]
