"""OpenID Connect, the relying party's side: discovery, the authorization request (code flow
with PKCE S256, state and nonce), the code exchange and the ID token's checks.

Authlib builds the authorization URL (the PKCE S256 challenge, random state, nonce and
verifier) and the token request with its client authentication (as the provider's discovery
document allows). The requests go through our guarded httpx client: Authlib's httpx
integration follows whichever httpx package it finds, and two requests do not need it.
joserfc (Authlib's JOSE library) checks the ID token: its signature against the provider's
JWKS, `iss`, `aud` (and `azp`), `exp`, `iat`, `nonce`. Every server-side request goes
through the SSRF guard of `networks.base` (public addresses only, https;
SOCIAL_ALLOWED_PRIVATE_HOSTS lets the tests' local provider in). No token, code or secret
is logged.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.core.cache import cache
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from portevoix.core import clock
from portevoix.networks import base

from .errors import SignInError

logger = logging.getLogger("portevoix.sso")

SCOPE = "openid email profile"
# Asymmetric signatures only: a provider's shared-secret (HS*) tokens are not accepted.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
LEEWAY_SECONDS = 60
MAX_DOCUMENT = 512 * 1024
# How long a provider's discovery document and signing keys are kept (Django's cache).
CACHE_SECONDS = 3600


class OidcError(SignInError):
    """An OpenID Connect answer that fails its checks, or a provider out of reach."""


@dataclass(frozen=True)
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""
    token_auth_methods: tuple[str, ...] = ("client_secret_basic",)


@dataclass(frozen=True)
class Authorization:
    url: str
    state: str
    nonce: str
    code_verifier: str


def _unreachable(detail: str) -> OidcError:
    return OidcError(_("The identity provider could not be reached."), detail=detail)


def _checked(url: str) -> str:
    """`url` when its scheme and host pass the SSRF guard."""
    try:
        base.guard_url(url)
    except base.UnsafeAddress as exc:
        raise OidcError(exc.user_message, detail=f"unsafe address {url}") from exc
    return url


def _get_json(url: str, *, token: str = "") -> dict[str, Any]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with base.http_client() as client:
            response = client.get(_checked(url), headers=headers)
    except (httpx.HTTPError, base.UnsafeAddress) as exc:
        raise _unreachable(f"{url}: {type(exc).__name__}") from exc
    if response.status_code != 200 or len(response.content) > MAX_DOCUMENT:
        raise _unreachable(f"{url}: HTTP {response.status_code}")
    try:
        document = response.json()
    except ValueError as exc:
        raise _unreachable(f"{url}: not JSON") from exc
    if not isinstance(document, dict):
        raise _unreachable(f"{url}: not an object")
    return document


def _cached_json(url: str, *, fresh: bool = False) -> dict[str, Any]:
    """`_get_json(url)`, kept in the cache for CACHE_SECONDS: a provider's discovery document
    and signing keys change rarely, and a Monday morning of logins should not ask for them
    each time. `fresh`: ask the provider again (and keep its new answer)."""
    key = "sso:oidc:" + hashlib.sha256(url.encode("utf-8")).hexdigest()
    if not fresh:
        found = cache.get(key)
        if isinstance(found, dict):
            return found
    document = _get_json(url)
    cache.set(key, document, CACHE_SECONDS)
    return document


def discover(issuer: str, *, fresh: bool = False) -> Metadata:
    """The provider's metadata from `{issuer}/.well-known/openid-configuration` (cached for
    an hour); its `issuer` must be the configured one (OpenID Connect Discovery, 4.3)."""
    issuer = issuer.strip()
    document = _cached_json(issuer.rstrip("/") + "/.well-known/openid-configuration", fresh=fresh)
    found = str(document.get("issuer") or "")
    if found.rstrip("/") != issuer.rstrip("/"):
        raise OidcError(
            _("The identity provider's discovery document names another issuer."),
            detail=f"expected {issuer}, got {found[:200]}",
        )
    try:
        endpoints = {
            name: _checked(str(document[name]))
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
        }
    except KeyError as exc:
        raise _unreachable(f"discovery without {exc}") from exc
    userinfo = str(document.get("userinfo_endpoint") or "")
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return Metadata(
        issuer=found,
        userinfo_endpoint=_checked(userinfo) if userinfo else "",
        token_auth_methods=tuple(str(m) for m in methods),
        **endpoints,
    )


def _auth_method(metadata: Metadata) -> str:
    if "client_secret_basic" in metadata.token_auth_methods:
        return "client_secret_basic"
    if "client_secret_post" in metadata.token_auth_methods:
        return "client_secret_post"
    raise OidcError(
        _("The identity provider accepts no client secret."),
        detail=f"token_endpoint_auth_methods {metadata.token_auth_methods}",
    )


def authorization(
    metadata: Metadata, *, client_id: str, redirect_uri: str, login_hint: str = ""
) -> Authorization:
    """Where to send the browser: a fresh state, nonce and PKCE verifier (kept by the caller
    in the session, never sent anywhere but the provider's token endpoint)."""
    state, nonce, verifier = generate_token(40), generate_token(40), generate_token(64)
    url = prepare_grant_uri(
        metadata.authorization_endpoint,
        client_id=client_id,
        response_type="code",
        redirect_uri=redirect_uri,
        scope=SCOPE,
        state=state,
        nonce=nonce,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
        **({"login_hint": login_hint} if login_hint else {}),
    )
    return Authorization(url=url, state=state, nonce=nonce, code_verifier=verifier)


def exchange_code(
    metadata: Metadata,
    *,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    code: str,
    code_verifier: str,
) -> dict[str, Any]:
    """The token response (with its `id_token`) for the authorization code."""
    auth = ClientAuth(client_id, client_secret, _auth_method(metadata))
    body = prepare_token_request(
        "authorization_code", redirect_uri=redirect_uri, code=code, code_verifier=code_verifier
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    url, headers, body = auth.prepare("POST", metadata.token_endpoint, headers, body)
    try:
        with base.http_client() as client:
            response = client.post(_checked(url), headers=headers, content=body)
        token = response.json()
    except (httpx.HTTPError, base.UnsafeAddress, ValueError) as exc:
        raise _unreachable(f"token: {type(exc).__name__}") from exc
    if not isinstance(token, dict):
        raise _unreachable("token: not an object")
    if response.status_code != 200 or "error" in token:
        raise OidcError(
            _("The identity provider refused the sign-in."),
            detail=f"token: HTTP {response.status_code} {str(token.get('error', ''))[:80]}",
        )
    if not isinstance(token.get("id_token"), str):
        raise OidcError(_("The identity provider sent no ID token."), detail="no id_token")
    return dict(token)


def jwks(metadata: Metadata, *, fresh: bool = False) -> KeySet:
    """The provider's signing keys (cached for an hour; `fresh` after a key rotation)."""
    try:
        return KeySet.import_key_set(_cached_json(metadata.jwks_uri, fresh=fresh))  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise _unreachable(f"jwks: {type(exc).__name__}") from exc


def _refused(detail: str) -> OidcError:
    return OidcError(_("The identity provider's answer could not be verified."), detail=detail)


def validate_id_token(
    id_token: str, *, keys: KeySet, issuer: str, client_id: str, nonce: str
) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, expiry and nonce are
    checked (OpenID Connect Core, section 3.1.3.7)."""
    try:
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError) as exc:
        raise _refused(f"id_token signature: {type(exc).__name__}") from exc
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        now=lambda: int(clock.now().timestamp()),
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise _refused(f"id_token claims: {type(exc).__name__} {exc}") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise _refused("id_token azp")
    return claims


def userinfo(metadata: Metadata, access_token: str, *, subject: str) -> dict[str, Any]:
    """The UserInfo claims, when the provider has the endpoint; their `sub` must be the ID
    token's (OpenID Connect Core, section 5.3.2)."""
    if not metadata.userinfo_endpoint or not access_token:
        return {}
    claims = _get_json(metadata.userinfo_endpoint, token=access_token)
    if claims.get("sub") != subject:
        raise _refused("userinfo sub")
    return claims
