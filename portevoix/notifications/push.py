"""Web push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291).

pywebpush encrypts the payload for the subscription's keys and py-vapid signs the VAPID
token; the request itself goes through `networks.base.http_client`, which connects only to
public addresses (a subscription's endpoint is given by a browser: no server-side request
may reach the inside of the network; SOCIAL_ALLOWED_PRIVATE_HOSTS lets tests use a local
push service on 127.0.0.1).

Keys: VAPID_PRIVATE_KEY (base64url raw 32-byte key, or a DER/PEM key); the public key is
derived from it (VAPID_PUBLIC_KEY, when set, must match). Without a private key push is
disabled and notifications stay in-app.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid
from pywebpush import WebPusher, WebPushException

from portevoix.networks.base import UnsafeAddress, http_client

logger = logging.getLogger("portevoix.notifications")

# How long the push service keeps a message for a device that is offline.
TTL_SECONDS = 12 * 3600
# The VAPID token's lifetime (RFC 8292: at most 24 hours).
TOKEN_SECONDS = 12 * 3600
MAX_ENDPOINT_CHARS = 1000


@dataclass(frozen=True)
class Target:
    endpoint: str
    p256dh: str
    auth: str


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@functools.lru_cache(maxsize=4)
def _load(private_key: str, public_key: str) -> tuple[Vapid, str]:
    try:
        vapid = Vapid.from_string(private_key=private_key.strip())
    except Exception as exc:
        raise ImproperlyConfigured("VAPID_PRIVATE_KEY is not a valid P-256 key.") from exc
    derived = _b64url(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    if public_key and public_key.strip().rstrip("=") != derived:
        raise ImproperlyConfigured("VAPID_PUBLIC_KEY does not match VAPID_PRIVATE_KEY.")
    return vapid, derived


def _keys() -> tuple[Vapid, str] | None:
    private_key = getattr(settings, "VAPID_PRIVATE_KEY", "") or ""
    if not private_key.strip():
        return None
    return _load(private_key, getattr(settings, "VAPID_PUBLIC_KEY", "") or "")


def enabled() -> bool:
    """Whether this installation can push (a VAPID key is configured)."""
    return _keys() is not None


def public_key() -> str:
    """The VAPID public key (base64url, uncompressed point) for `applicationServerKey`, or
    "" when push is disabled."""
    keys = _keys()
    return keys[1] if keys else ""


def endpoint_problem(endpoint: str) -> str | None:
    """Why a browser-given endpoint is refused, or None. https only (or http to a host
    listed in SOCIAL_ALLOWED_PRIVATE_HOSTS); the address itself is checked when connecting."""
    if not endpoint or len(endpoint) > MAX_ENDPOINT_CHARS:
        return "length"
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        return "host"
    allowed = {h.lower() for h in getattr(settings, "SOCIAL_ALLOWED_PRIVATE_HOSTS", [])}
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if parts.scheme == "https" or (
        parts.scheme == "http" and (host in allowed or netloc in allowed)
    ):
        return None
    return "scheme"


def audience(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def send(target: Target, payload: dict[str, str], *, topic: str = "") -> int | None:
    """Push `payload` (JSON) to one subscription. The push service's HTTP status, or None
    when it could not be reached (or push is disabled, or the address is refused)."""
    keys = _keys()
    if keys is None or endpoint_problem(target.endpoint):
        return None
    vapid, _public = keys
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        encoded = WebPusher(
            {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
        ).encode(data, content_encoding="aes128gcm")
    except (WebPushException, ValueError, TypeError) as exc:
        logger.warning("push_bad_subscription", extra={"error": type(exc).__name__})
        return 400
    headers = {
        **vapid.sign(
            {
                "sub": settings.VAPID_SUBJECT,
                "aud": audience(target.endpoint),
                "exp": int(time.time()) + TOKEN_SECONDS,
            }
        ),
        "TTL": str(TTL_SECONDS),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "Urgency": "normal",
    }
    if topic:
        headers["Topic"] = topic[:32]
    try:
        with http_client() as client:
            response = client.post(target.endpoint, content=encoded["body"], headers=headers)
    except (httpx.HTTPError, UnsafeAddress, OSError) as exc:
        logger.warning("push_unreachable", extra={"error": type(exc).__name__})
        return None
    return response.status_code
