"""Bluesky sessions and XRPC answers: JWT expiry, the PDS of a DID document, typed errors."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import httpx
from django.utils.translation import gettext as _

from .. import base
from ..base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from .records import (
    _EXPIRED,
)

# --------------------------------------------------------------------------- sessions


def jwt_expiry(token: str) -> dt.datetime | None:
    """The `exp` claim of a JWT (not verified: it only tells when to refresh), or None."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return dt.datetime.fromtimestamp(int(claims["exp"]), tz=dt.UTC)
    except (IndexError, KeyError, TypeError, ValueError, OverflowError):
        return None


def pds_from_did_doc(did_doc: Any) -> str:
    """The `#atproto_pds` service endpoint of a DID document, or ""."""
    if not isinstance(did_doc, dict):
        return ""
    for service in did_doc.get("service") or []:
        if not isinstance(service, dict):
            continue
        if str(service.get("id", "")).endswith("#atproto_pds") and isinstance(
            service.get("serviceEndpoint"), str
        ):
            return str(service["serviceEndpoint"])
    return ""


def _xrpc_error(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error") or ""), str(body.get("message") or "")[:300]


def error_for(response: httpx.Response) -> ConnectorError | None:
    """What a PDS or AppView answer means for the engine; None for a 2xx."""
    status = response.status_code
    if status < 400:
        return None
    detail = response.text[:2000]
    error, message = _xrpc_error(response)
    if status == 429:
        return RateLimited(
            _("Bluesky: too many requests, will try again later."),
            retry_at=base.retry_at_from_headers(response.headers),
            detail=detail,
            status=status,
        )
    if status == 401 or error in _EXPIRED or error in ("AccountTakedown", "AccountDeactivated"):
        return AuthError(
            _(
                "Bluesky refused the connection (session expired or app password revoked). "
                "Reconnect it."
            ),
            detail=detail,
            status=status,
        )
    if status >= 500 or status in (408, 425):
        return TransientError(
            _("Bluesky: temporary error (%(status)s).") % {"status": status},
            detail=detail,
            status=status,
        )
    return PermanentError(
        _("Bluesky refused the request: %(error)s") % {"error": message or error or status},
        detail=detail,
        status=status,
    )


def _raise_for(response: httpx.Response) -> None:
    error = error_for(response)
    if error is not None:
        raise error


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise TransientError(_("Bluesky: unexpected answer."), detail=response.text[:2000]) from exc
    if not isinstance(body, dict):
        raise TransientError(_("Bluesky: unexpected answer."), detail=response.text[:2000])
    return body


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _rkey_of(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]
