"""Tokens at rest: a TokenSet is stored as Fernet-encrypted JSON (portevoix.core.crypto, key
from FIELD_ENCRYPTION_KEY). Nothing readable reaches the database."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from portevoix.core import crypto
from portevoix.networks.base import TokenSet


def _when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def seal(tokens: TokenSet) -> str:
    payload: dict[str, Any] = {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_at": tokens.expires_at.isoformat() if tokens.expires_at else None,
        "refresh_expires_at": (
            tokens.refresh_expires_at.isoformat() if tokens.refresh_expires_at else None
        ),
        "scope": tokens.scope,
        "extra": tokens.extra,
    }
    return crypto.encrypt(json.dumps(payload, separators=(",", ":")))


def unseal(sealed: str) -> TokenSet:
    payload = json.loads(crypto.decrypt(sealed))
    return TokenSet(
        access_token=payload["access_token"],
        refresh_token=payload.get("refresh_token") or "",
        expires_at=_when(payload.get("expires_at")),
        refresh_expires_at=_when(payload.get("refresh_expires_at")),
        scope=payload.get("scope") or "",
        extra=payload.get("extra") or {},
    )
