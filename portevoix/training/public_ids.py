"""Public certificate ids: `PV-XXXX-XXXX-XXXX`, 12 random characters of Crockford's base32
(no I, L, O or U), that is 60 random bits: not guessable, easy to read out and type."""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "PV"
MAX_LENGTH = 20
LOOKALIKES = str.maketrans("OIL", "011")
# What a normalized id may hold: anything else (a slash, a dot, ...) is no certificate.
WELL_FORMED = re.compile(rf"[0-9A-Z-]{{1,{MAX_LENGTH}}}")


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


def is_well_formed(public_id: str) -> bool:
    """Whether a normalized id could be a certificate's (letters, digits and dashes)."""
    return bool(WELL_FORMED.fullmatch(public_id))
