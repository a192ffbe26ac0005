"""The OAuth 2 token and revocation endpoints (RFC 6749 section 4.1.3 and 6, RFC 7009), sent
through the connectors' own guarded httpx client.

The connectors used Authlib's httpx integration; Authlib now prefers the `httpx2` package
when it is installed, and that integration then refuses httpx's timeouts and transports. So
the requests are built here, with the client authentication methods the networks use, and
the answer goes through the connector's compliance hook (`base.token_response_hook`) before
it is read: no behaviour depends on which HTTP packages happen to be installed.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from django.utils.translation import gettext as _

from . import base

AUTH_METHODS = ("client_secret_post", "client_secret_basic", "none")


@dataclass(frozen=True)
class Client:
    """An OAuth 2 client as the token endpoint authenticates it."""

    client_id: str
    client_secret: str = ""
    auth_method: str = "client_secret_post"
    redirect_uri: str = ""

    def __post_init__(self) -> None:
        if self.auth_method not in AUTH_METHODS:
            raise ValueError(f"unknown client authentication method: {self.auth_method}")

    def authenticate(self, form: dict[str, str]) -> dict[str, str]:
        """Add the client's credentials to the form (or to the headers it returns)."""
        if self.auth_method == "client_secret_basic":
            # RFC 6749 2.3.1: the id and secret are form-encoded before the Basic encoding.
            pair = f"{quote(self.client_id, safe='')}:{quote(self.client_secret, safe='')}"
            return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
        form["client_id"] = self.client_id
        if self.auth_method == "client_secret_post":
            form["client_secret"] = self.client_secret
        return {}


Hook = Callable[[httpx.Response], httpx.Response]


def _post(client: Client, url: str, form: dict[str, str], *, what: str) -> httpx.Response:
    headers = {"Accept": "application/json", **client.authenticate(form)}
    with base.http_client() as http:
        return base.request(http, "POST", url, what=what, data=form, headers=headers)


def token(
    client: Client, url: str, form: dict[str, str], *, hook: Hook, what: str
) -> dict[str, Any]:
    """POST a token request; the hook turns refusals and throttling into the connector's
    errors; a success must be a JSON object (its fields are the caller's to check)."""
    response = hook(_post(client, url, dict(form), what=what))
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise base.TransientError(
            _("%(network)s answered the token request with something unreadable.")
            % {"network": what},
            detail=response.text[:500],
        )
    if body.get("error"):  # some servers say no with a 200
        raise base.AuthError(
            _("%(network)s refused the authorization: connect the account again.")
            % {"network": what},
            detail=str(body)[:500],
        )
    return body


def authorization_code(
    client: Client, url: str, *, code: str, hook: Hook, what: str, code_verifier: str = ""
) -> dict[str, Any]:
    form = {"grant_type": "authorization_code", "code": code}
    if client.redirect_uri:
        form["redirect_uri"] = client.redirect_uri
    if code_verifier:
        form["code_verifier"] = code_verifier
    return token(client, url, form, hook=hook, what=what)


def refresh(
    client: Client, url: str, *, refresh_token: str, hook: Hook, what: str
) -> dict[str, Any]:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return token(client, url, form, hook=hook, what=what)


def revoke(client: Client, url: str, *, token_value: str, hint: str = "", what: str) -> None:
    """RFC 7009: revoke a token; a refusal raises (callers treat revocation as best effort)."""
    form = {"token": token_value}
    if hint:
        form["token_type_hint"] = hint
    response = _post(client, url, form, what=what)
    if response.status_code >= 400:
        raise base.AuthError(
            _("%(network)s did not revoke the token.") % {"network": what},
            detail=response.text[:500],
            status=response.status_code,
        )
