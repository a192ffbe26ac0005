"""Every write of single sign-on: an organization's identity provider (set, remove), and
signing in through it (start, finish: the account and membership made on the first visit).

The settings are checked with `sso.manage` and audited (never the client secret itself,
which is sealed with `core.crypto`). Signing in refuses, with a message for the person: an
address of a domain the organization does not own, an address the provider did not verify,
a deactivated account or membership, and any answer of the provider that fails its checks
(`oidc`). Password login for an enforced domain is refused by `password_login_refusal`
(connected to accounts' `password_login` signal), except for the break-glass admin.
"""

from __future__ import annotations

import logging
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

from . import oidc, selectors
from .models import IdentityProvider, SsoDomain

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger("portevoix.sso")

FLOW_MAX_AGE = 600  # seconds between "Continue with single sign-on" and the provider's answer
MAX_DOMAINS = 50
MAX_SECRET = 1000


@dataclass
class ProviderData:
    issuer: str
    client_id: str
    client_secret: str = ""  # empty on a change: keep the current one
    domains: list[str] = field(default_factory=list)
    enabled: bool = True
    enforced: bool = False
    break_glass_email: str = ""
    claim_name: str = "name"
    claim_title: str = ""
    claim_groups: str = ""


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


def _errors(actor: Membership, data: ProviderData, *, new: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        base.guard_url(data.issuer)
    except base.UnsafeAddress as exc:
        errors["issuer"] = [exc.user_message]
    if not data.client_id.strip():
        errors["client_id"] = [_("Paste the client ID the identity provider gave you.")]
    if new and not data.client_secret.strip():
        errors["client_secret"] = [_("Paste the client secret the identity provider gave you.")]
    if len(data.client_secret) > MAX_SECRET:
        errors["client_secret"] = [_("This is too long for a client secret.")]
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
    return errors


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
    return {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "domains": selectors.domains_of(provider),
        "enabled": provider.enabled,
        "enforced": provider.enforced,
        "break_glass_email": provider.break_glass_email,
        "claims": [provider.claim_name, provider.claim_title, provider.claim_groups],
    }


def provider_save(*, actor: Membership, data: ProviderData) -> IdentityProvider:
    """Set the organization's identity provider (made on the first save)."""
    require(actor, "sso.manage")
    with transaction.atomic():
        provider = scoped(
            IdentityProvider.objects.select_for_update(), actor.organization_id
        ).first()
        if errors := _errors(actor, data, new=provider is None):
            raise DomainError(_("The single sign-on settings have errors."), field_errors=errors)
        before = _described(provider) if provider else None
        if provider is None:
            provider = IdentityProvider(organization_id=actor.organization_id)
        provider.issuer = data.issuer.strip()
        provider.client_id = data.client_id.strip()[:255]
        secret = data.client_secret.strip()
        if secret:
            provider.client_secret_sealed = crypto.encrypt(secret)
        provider.enabled = data.enabled
        provider.enforced = data.enforced
        provider.break_glass_email = data.break_glass_email.strip().lower()
        provider.claim_name = data.claim_name.strip()[:100] or "name"
        provider.claim_title = data.claim_title.strip()[:100]
        provider.claim_groups = data.claim_groups.strip()[:100]
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
    flow: dict[str, Any]  # what the session keeps until the provider answers


def _failed(provider: IdentityProvider | None, exc: oidc.OidcError) -> DomainError:
    logger.warning(
        "sso_refused organization=%s reason=%s",
        provider.organization_id if provider else None,
        exc.detail or exc.message,
        extra={"event": "sso_refused"},
    )
    return DomainError(exc.message)


def sign_in_start(*, email: str, redirect_uri: str, next_url: str = "") -> Started:
    provider = selectors.provider_for_email(email)
    if provider is None:
        raise DomainError(
            _("Single sign-on is not set up for this address: log in with your password.")
        )
    try:
        metadata = oidc.discover(provider.issuer)
        auth = oidc.authorization(
            metadata, client_id=provider.client_id, redirect_uri=redirect_uri, login_hint=email
        )
    except oidc.OidcError as exc:
        raise _failed(provider, exc) from exc
    flow = {
        "provider": provider.pk,
        "state": auth.state,
        "nonce": auth.nonce,
        "verifier": auth.code_verifier,
        "next": next_url,
        "at": int(time.time()),
    }
    return Started(url=auth.url, flow=flow)


def _text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name) if name else None
    return value.strip() if isinstance(value, str) else ""


def _groups(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name) if name else None
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [str(v).strip() for v in value if isinstance(v, str | int) and str(v).strip()][:200]


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
        pk=int(flow.get("provider") or 0), enabled=True
    ).first()
    if provider is None:
        raise DomainError(_("Single sign-on is no longer set up for this organization."))
    if params.get("error") or not params.get("code"):
        raise _failed(
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
        claims = oidc.validate_id_token(
            tokens["id_token"],
            keys=oidc.jwks(metadata),
            issuer=metadata.issuer,
            client_id=provider.client_id,
            nonce=str(flow.get("nonce", "")),
        )
        info = oidc.userinfo(metadata, str(tokens.get("access_token") or ""), subject=claims["sub"])
    except crypto.DecryptionError as exc:
        raise _failed(
            provider,
            oidc.OidcError(_("Single sign-on is not set up correctly."), detail="client secret"),
        ) from exc
    except oidc.OidcError as exc:
        raise _failed(provider, exc) from exc
    return _member(provider, {**info, **claims})


def _member(provider: IdentityProvider, claims: dict[str, Any]) -> Membership:
    email = _text(claims, "email").lower()
    if not email or claims.get("email_verified") not in (True, "true"):
        raise _failed(
            provider,
            oidc.OidcError(
                _("Your identity provider did not confirm your email address."), detail="email"
            ),
        )
    if selectors.email_domain(email) not in selectors.domains_of(provider):
        raise _failed(
            provider,
            oidc.OidcError(
                _("%(email)s is not an address of %(organization)s: ask your administrator.")
                % {"email": email, "organization": provider.organization.name},
                detail="domain not owned",
            ),
        )
    person = account_services.DirectoryPerson(
        email=email,
        full_name=_text(claims, provider.claim_name),
        title=_text(claims, provider.claim_title),
        team_names=_groups(claims, provider.claim_groups),
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
