"""Every write of single sign-on: an organization's identity provider (set, remove), and
signing in through it (start, finish: the account and membership made on the first visit).

One provider per organization, OpenID Connect or SAML 2.0; the domains, enforcement,
break-glass account and attribute mapping are the same for both. The settings are checked
with `sso.manage` and audited (never the client secret or the SAML key, sealed with
`core.crypto`). Signing in refuses, with a message for the person: an address of a domain
the organization does not own, an address the provider did not confirm, a deactivated
account or membership (`people`), and any answer of the provider that fails its checks
(`oidc`, `saml` and `saml_flow`). Password login for an enforced domain is refused by
`password_login_refusal` (connected to accounts' `password_login` signal), except for the
break-glass admin.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts import services as account_services
from portevoix.accounts.permissions import can, require
from portevoix.core import clock, crypto
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped
from portevoix.governance import gates
from portevoix.networks import base

from . import oidc, people, saml, saml_flow, selectors
from .models import IdentityProvider, Protocol, SsoDomain

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger("portevoix.sso")

FLOW_MAX_AGE = 600  # seconds between "Continue with single sign-on" and the provider's answer
MAX_DOMAINS = 50
MAX_SECRET = 1000
MAX_ATTRIBUTE = 200


@dataclass
class ProviderData:
    issuer: str = ""  # OpenID Connect
    client_id: str = ""
    client_secret: str = ""  # empty on a change: keep the current one
    domains: list[str] = field(default_factory=list)
    enabled: bool = True
    enforced: bool = False
    break_glass_email: str = ""
    claim_name: str = "name"
    claim_title: str = ""
    claim_groups: str = ""
    protocol: str = Protocol.OIDC
    idp_metadata: str = ""  # SAML: the IdP's metadata XML, pasted or uploaded
    allow_idp_initiated: bool = False
    claim_email: str = "email"


def clean_domains(values: list[str]) -> tuple[list[str], list[str]]:
    """The domains lowercased, without "@" or duplicates; and the invalid ones."""
    clean, invalid = [], []
    for raw in values:
        value = raw.strip().lstrip("@").rstrip(".").lower()
        if not value:
            continue
        try:
            DomainNameValidator(accept_idna=False)(value)
        except ValidationError:
            invalid.append(raw.strip())
            continue
        if "." in value and value not in clean:
            clean.append(value)
        elif "." not in value:
            invalid.append(raw.strip())
    return clean, invalid


def _oidc_errors(data: ProviderData, *, new_secret_needed: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        base.guard_url(data.issuer)
    except base.UnsafeAddress as exc:
        errors["issuer"] = [exc.user_message]
    if not data.client_id.strip():
        errors["client_id"] = [_("Paste the client ID the identity provider gave you.")]
    if new_secret_needed and not data.client_secret.strip():
        errors["client_secret"] = [_("Paste the client secret the identity provider gave you.")]
    if len(data.client_secret) > MAX_SECRET:
        errors["client_secret"] = [_("This is too long for a client secret.")]
    return errors


def _saml_errors(
    data: ProviderData, provider: IdentityProvider | None
) -> tuple[dict[str, list[str]], saml.IdentityProviderInfo | None]:
    metadata = data.idp_metadata.strip()
    if not metadata and provider is not None and provider.saml_idp_metadata:
        return {}, None  # kept
    if not metadata:
        return {"idp_metadata": [_("Paste the identity provider's SAML metadata.")]}, None
    try:
        return {}, saml.idp_info(metadata)
    except saml.SamlError as exc:
        return {"idp_metadata": [exc.message]}, None


def _errors(
    actor: Membership, data: ProviderData, provider: IdentityProvider | None
) -> tuple[dict[str, list[str]], saml.IdentityProviderInfo | None]:
    info = None
    if data.protocol == Protocol.SAML:
        errors, info = _saml_errors(data, provider)
    elif data.protocol == Protocol.OIDC:
        errors = _oidc_errors(
            data, new_secret_needed=provider is None or not provider.client_secret_sealed
        )
    else:
        errors = {"protocol": [_("Choose OpenID Connect or SAML 2.0.")]}
    domains, invalid = clean_domains(data.domains)
    if invalid:
        errors["domains"] = [_("Not a domain: %(list)s.") % {"list": ", ".join(invalid)}]
    elif not domains:
        errors["domains"] = [_("Give at least one email domain, for example example.com.")]
    elif len(domains) > MAX_DOMAINS:
        errors["domains"] = [_("At most %(count)d domains.") % {"count": MAX_DOMAINS}]
    else:
        claimed = SsoDomain.objects.filter(domain__in=domains).values_list("domain", flat=True)
        ours = scoped(SsoDomain, actor.organization_id).values_list("domain", flat=True)
        if names := sorted(set(claimed) - set(ours)):
            errors["domains"] = [
                _("Already claimed by another organization: %(list)s.") % {"list": ", ".join(names)}
            ]
    email = data.break_glass_email.strip().lower()
    if data.enforced and not email:
        errors["break_glass_email"] = [
            _("Name the administrator who may still log in with a password if the provider fails.")
        ]
    elif email and not _is_admin(actor.organization_id, email):
        errors["break_glass_email"] = [_("This must be the address of an administrator here.")]
    return errors, info


def _is_admin(organization_id: int, email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    user = account_services.directory_user(email)
    member = user and account_selectors.member_by_user(
        organization_id=organization_id, user_id=user.pk
    )
    return bool(member and can(member, "sso.manage"))


def _described(provider: IdentityProvider) -> dict[str, Any]:
    described: dict[str, Any] = {
        "protocol": provider.protocol,
        "domains": selectors.domains_of(provider),
        "enabled": provider.enabled,
        "enforced": provider.enforced,
        "break_glass_email": provider.break_glass_email,
        "claims": [provider.claim_name, provider.claim_title, provider.claim_groups],
    }
    if provider.protocol == Protocol.SAML:
        metadata = provider.saml_idp_metadata.encode("utf-8")
        described |= {
            "idp_entity_id": provider.saml_idp_entity_id,
            "idp_metadata_sha256": hashlib.sha256(metadata).hexdigest(),
            "allow_idp_initiated": provider.saml_allow_idp_initiated,
            "claim_email": provider.claim_email,
        }
    else:
        described |= {"issuer": provider.issuer, "client_id": provider.client_id}
    return described


def _apply_saml(
    provider: IdentityProvider, data: ProviderData, info: saml.IdentityProviderInfo | None
) -> None:
    if info is not None:
        provider.saml_idp_metadata = data.idp_metadata.strip()
        provider.saml_idp_entity_id = info.entity_id
    if not provider.saml_key:
        provider.saml_key = secrets.token_urlsafe(16)
    if not provider.saml_sp_key_sealed:  # our key pair, made once (decision 0021)
        key_pem, cert_pem = saml.key_pair(provider.organization.name)
        provider.saml_sp_key_sealed = crypto.encrypt(key_pem)
        provider.saml_sp_cert = cert_pem
    provider.saml_allow_idp_initiated = data.allow_idp_initiated
    provider.claim_email = data.claim_email.strip()[:MAX_ATTRIBUTE]


def provider_save(*, actor: Membership, data: ProviderData) -> IdentityProvider:
    """Set the organization's identity provider (made on the first save)."""
    require(actor, "sso.manage")
    with transaction.atomic():
        provider = scoped(
            IdentityProvider.objects.select_for_update(), actor.organization_id
        ).first()
        errors, info = _errors(actor, data, provider)
        if errors:
            raise DomainError(_("The single sign-on settings have errors."), field_errors=errors)
        before = _described(provider) if provider else None
        if provider is None:
            provider = IdentityProvider(organization=actor.organization)
        provider.protocol = data.protocol
        secret = ""
        if data.protocol == Protocol.SAML:
            _apply_saml(provider, data, info)
        else:
            provider.issuer = data.issuer.strip()
            provider.client_id = data.client_id.strip()[:255]
            secret = data.client_secret.strip()
            if secret:
                provider.client_secret_sealed = crypto.encrypt(secret)
        provider.enabled = data.enabled
        provider.enforced = data.enforced
        provider.break_glass_email = data.break_glass_email.strip().lower()
        provider.claim_name = data.claim_name.strip()[:MAX_ATTRIBUTE] or "name"
        provider.claim_title = data.claim_title.strip()[:MAX_ATTRIBUTE]
        provider.claim_groups = data.claim_groups.strip()[:MAX_ATTRIBUTE]
        provider.updated_at = clock.now()
        provider.save()
        domains, _invalid = clean_domains(data.domains)
        provider.domains.exclude(domain__in=domains).delete()
        existing = set(provider.domains.values_list("domain", flat=True))
        try:
            with transaction.atomic():
                for domain in domains:
                    if domain not in existing:
                        SsoDomain.objects.create(
                            organization_id=actor.organization_id, provider=provider, domain=domain
                        )
        except IntegrityError as exc:  # claimed by another organization meanwhile
            message = _("Already claimed by another organization: %(list)s.")
            raise DomainError(
                message % {"list": ", ".join(domains)},
                field_errors={"domains": [message % {"list": ", ".join(domains)}]},
            ) from exc
        after = _described(provider)
        if provider.protocol == Protocol.OIDC:
            after["client_secret_changed"] = bool(secret)
        _audit(actor, "sso.provider_set", provider, before, after)
    return provider


def provider_delete(*, actor: Membership, provider: IdentityProvider) -> None:
    """Forget the provider and its domains: everyone logs in with a password again."""
    require(actor, "sso.manage", provider)
    with transaction.atomic():
        before = _described(provider)
        pk = provider.pk
        provider.delete()
        provider.pk = pk
        _audit(actor, "sso.provider_deleted", provider, before, None)


def _audit(
    actor: Any,
    action: str,
    provider: IdentityProvider,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    gates.audit_record(
        organization=provider.organization,
        actor=actor,
        action=action,
        object_type="sso_provider",
        object_id=provider.pk,
        before=before,
        after=after,
    )


# --------------------------------------------------------------------------- password login


def password_login_refusal(email: str) -> str | None:
    """Why `email` may not log in with a password (its organization requires single sign-on
    and it is not the break-glass account), or None."""
    provider = selectors.provider_for_email(email)
    if provider is None or not provider.enforced:
        return None
    if provider.break_glass_email and email.strip().lower() == provider.break_glass_email:
        return None
    return _(
        "%(organization)s logs in through its identity provider: use “Continue with single "
        "sign-on” below."
    ) % {"organization": provider.organization.name}


# --------------------------------------------------------------------------- signing in


@dataclass(frozen=True)
class Started:
    url: str  # where to send the browser
    flow: dict[str, Any] | None  # what the session keeps until the provider answers (OIDC)


def sign_in_start(*, email: str, redirect_uri: str, next_url: str = "") -> Started:
    """Where to send the browser for the provider of the address's organization."""
    provider = selectors.provider_for_email(email)
    if provider is None:
        raise DomainError(
            _("Single sign-on is not set up for this address: log in with your password.")
        )
    if provider.protocol == Protocol.SAML:
        try:
            return Started(url=saml_flow.start(provider, next_url=next_url), flow=None)
        except saml.SamlError as exc:
            raise people.refused(provider, exc) from exc
    try:
        metadata = oidc.discover(provider.issuer)
        auth = oidc.authorization(
            metadata, client_id=provider.client_id, redirect_uri=redirect_uri, login_hint=email
        )
    except oidc.OidcError as exc:
        raise people.refused(provider, exc) from exc
    flow = {
        "provider": provider.pk,
        "state": auth.state,
        "nonce": auth.nonce,
        "verifier": auth.code_verifier,
        "next": next_url,
        "at": int(time.time()),
    }
    return Started(url=auth.url, flow=flow)


def _validated(
    id_token: str, metadata: oidc.Metadata, provider: IdentityProvider, nonce: str
) -> dict[str, Any]:
    """The ID token's claims, checked with the provider's cached keys; when they do not
    verify it, once more with keys fetched afresh (the provider may have rotated them)."""

    def check(keys: Any) -> dict[str, Any]:
        return oidc.validate_id_token(
            id_token, keys=keys, issuer=metadata.issuer, client_id=provider.client_id, nonce=nonce
        )

    try:
        return check(oidc.jwks(metadata))
    except oidc.OidcError:
        return check(oidc.jwks(metadata, fresh=True))


def sign_in_finish(
    *, flow: dict[str, Any] | None, params: dict[str, str], redirect_uri: str
) -> Membership:
    """The member signed in by the provider's answer (`params`: the callback's query)."""
    if (
        not flow
        or not constant_time_compare(params.get("state", ""), str(flow.get("state", "")))
        or time.time() - int(flow.get("at", 0)) > FLOW_MAX_AGE
    ):
        raise DomainError(_("This sign-in has expired or was not started here. Start again."))
    provider = IdentityProvider.objects.filter(
        pk=int(flow.get("provider") or 0), enabled=True, protocol=Protocol.OIDC
    ).first()
    if provider is None:
        raise DomainError(_("Single sign-on is no longer set up for this organization."))
    if params.get("error") or not params.get("code"):
        raise people.refused(
            provider,
            oidc.OidcError(
                _("The identity provider did not sign you in."),
                detail=f"error {params.get('error', '')[:80]}",
            ),
        )
    try:
        metadata = oidc.discover(provider.issuer)
        tokens = oidc.exchange_code(
            metadata,
            client_id=provider.client_id,
            client_secret=crypto.decrypt(provider.client_secret_sealed),
            redirect_uri=redirect_uri,
            code=params["code"],
            code_verifier=str(flow.get("verifier", "")),
        )
        claims = _validated(tokens["id_token"], metadata, provider, str(flow.get("nonce", "")))
        info = oidc.userinfo(metadata, str(tokens.get("access_token") or ""), subject=claims["sub"])
    except crypto.DecryptionError as exc:
        raise people.refused(
            provider,
            oidc.OidcError(_("Single sign-on is not set up correctly."), detail="client secret"),
        ) from exc
    except oidc.OidcError as exc:
        raise people.refused(provider, exc) from exc
    claims = {**info, **claims}
    identity = people.Identity(
        email=people.text(claims, "email"),
        email_verified=claims.get("email_verified") in (True, "true"),
        attributes=claims,
    )
    return people.member_signed_in(provider, identity)


def saml_sign_in_finish(*, key: str, saml_response: str, relay_state: str) -> saml_flow.SignedIn:
    """The member signed in by a Response posted to the organization's ACS (answering our
    request, or IdP-initiated when the organization allows it), and where to go next."""
    return saml_flow.finish(key=key, saml_response=saml_response, relay_state=relay_state)
