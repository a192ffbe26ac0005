"""An organization's identity provider (OpenID Connect) and the email domains it owns."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned


class IdentityProvider(OrgOwned):
    """One per organization. The client secret is sealed with `core.crypto`."""

    issuer = models.URLField(_("issuer"), max_length=500)
    client_id = models.CharField(_("client ID"), max_length=255)
    client_secret_sealed = models.TextField(blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Password login refused for the organization's domains, except the break-glass account.
    enforced = models.BooleanField(_("single sign-on required"), default=False)
    break_glass_email = models.EmailField(_("break-glass account"), blank=True)
    claim_name = models.CharField(max_length=100, default="name")
    claim_title = models.CharField(max_length=100, blank=True, default="job_title")
    claim_groups = models.CharField(max_length=100, blank=True, default="groups")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="sso_one_provider_per_org")
        ]

    def __str__(self) -> str:
        return self.issuer


class SsoDomain(OrgOwned):
    """An email domain the organization owns: a domain belongs to one organization only."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    def __str__(self) -> str:
        return self.domain
