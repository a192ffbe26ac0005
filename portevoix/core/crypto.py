"""Encryption of secrets stored in the database (conversion keys, network tokens).

`encrypt(text)` returns a Fernet token (AES-128-CBC + HMAC-SHA256, with a timestamp);
`decrypt(token)` gives the text back, or raises `DecryptionError`.

The Fernet keys are derived with HKDF-SHA256 from `settings.FIELD_ENCRYPTION_KEY`, which
may hold several comma-separated secrets: the first encrypts, every one decrypts, so a key
is rotated by putting the new one first and re-encrypting at leisure. When the setting is
empty (only allowed with DEBUG on: production refuses to start without it), the key is
derived from SECRET_KEY with a different HKDF context, so it is never SECRET_KEY itself.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_SALT = b"portevoix-field-encryption-v1"
_INFO_FIELD_KEY = b"portevoix field encryption key"
_INFO_FROM_SECRET_KEY = b"portevoix field encryption key, derived from SECRET_KEY"


class DecryptionError(ValueError):
    """The token was not made by one of our keys, or was altered."""


def derive_key(material: str, *, info: bytes = _INFO_FIELD_KEY) -> bytes:
    """A urlsafe-base64 Fernet key (32 bytes) derived from `material` with HKDF-SHA256."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(
        material.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw)


@functools.lru_cache(maxsize=8)
def _fernet(field_key: str, secret_key: str) -> MultiFernet:
    materials = [part.strip() for part in field_key.split(",") if part.strip()]
    if materials:
        keys = [derive_key(material) for material in materials]
    else:
        keys = [derive_key(secret_key, info=_INFO_FROM_SECRET_KEY)]
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY or "", settings.SECRET_KEY)


def encrypt(text: str) -> str:
    return _current().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise DecryptionError("cannot decrypt this value") from exc
