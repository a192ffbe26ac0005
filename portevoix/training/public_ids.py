"""Public certificate ids: `PV-XXXX-XXXX-XXXX`, 12 random characters of Crockford's base32
(no I, L, O or U), that is 60 random bits: not guessable, easy to read out and type."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "PV"
MAX_LENGTH = 20
LOOKALIKES = str.maketrans("OIL", "011")


def new_public_id() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _i in range(12))
    return f"{PREFIX}-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalize_public_id(value: str) -> str:
    """What people type: lower case and spaces are forgiven, and so are O for 0 and I or L
    for 1 (letters the alphabet leaves out for that reason)."""
    cleaned = "".join((value or "").split()).upper()[:MAX_LENGTH]
    head, sep, rest = cleaned.partition("-")
    if sep and head == PREFIX:
        return f"{head}-{rest.translate(LOOKALIKES)}"
    return cleaned
