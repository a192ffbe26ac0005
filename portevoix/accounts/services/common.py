"""What the accounts services share."""

from __future__ import annotations

import hashlib


def secret_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
