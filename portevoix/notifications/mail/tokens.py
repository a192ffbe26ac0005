"""The signed parts of the emails' links.

- Unsubscribe: `django.core.signing` of (membership id, list), salted per purpose, with a
  timestamp; accepted for `UNSUBSCRIBE_MAX_AGE` (a digest stays in a mailbox for months).
- Share and "go" links (the buttons and the ready-to-copy posts): opaque, short and fast.
  16 bytes, one AES block under a key derived from SECRET_KEY: membership id, item id,
  network and kind (10 bytes), then 6 bytes of HMAC-SHA256 of those 10 bytes and the
  organization id (which is in the URL beside the token). Decrypting and
  checking the 6 bytes authenticates it (a forgery has one chance in 2**48); nobody who sees
  a post learns the member's id. 22 characters in the URL.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import struct
import threading
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core import signing

from portevoix.core.networks import Network

UNSUBSCRIBE_SALT = "portevoix.notifications.unsubscribe.v1"
UNSUBSCRIBE_MAX_AGE = 400 * 24 * 3600  # seconds
_LINK_PURPOSE = b"portevoix.notifications.mail-links.v1"
_PAYLOAD = struct.Struct(">IIBB")
_ORG = struct.Struct(">Q")
KIND_SHARE = 1  # the network's share page, with the member's tracked link
KIND_GO = 2  # the member's tracked link itself (what a copied post points to)


@dataclass(frozen=True)
class Unsubscribe:
    membership_id: int
    organization_id: int
    email_list: str


def unsubscribe_token(membership_id: int, organization_id: int, email_list: str) -> str:
    value = [membership_id, organization_id, email_list]
    return signing.dumps(value, salt=UNSUBSCRIBE_SALT, compress=False)


def unsubscribe_read(token: str) -> Unsubscribe | None:
    """What a good token unsubscribes; None when forged, altered or expired."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(value, list) or len(value) != 3:
        return None
    member, organization, email_list = value
    if not isinstance(member, int) or not isinstance(organization, int):
        return None
    if not isinstance(email_list, str):
        return None
    return Unsubscribe(member, organization, email_list)


@functools.lru_cache(maxsize=4)
def _keys(secret_key: str) -> tuple[bytes, bytes]:
    root = hmac.new(secret_key.encode("utf-8"), _LINK_PURPOSE, hashlib.sha256).digest()
    enc = hmac.new(root, b"encrypt", hashlib.sha256).digest()[:16]
    mac = hmac.new(root, b"check", hashlib.sha256).digest()
    return enc, mac


@functools.lru_cache(maxsize=4)
def _cipher(secret_key: str) -> Cipher[modes.ECB]:
    enc, _mac = _keys(secret_key)
    # One block, a permutation: ECB is the right mode for a single fixed-size block.
    return Cipher(algorithms.AES(enc), modes.ECB())  # noqa: S305


@dataclass(frozen=True)
class LinkRef:
    membership_id: int
    item_id: int
    network: str
    kind: int


_local = threading.local()


def _encryptor(secret: str) -> Any:
    """One ECB encryptor per thread and key, never finalized: each 16-byte `update` is one
    block on its own (creating an encryptor costs more than encrypting a block)."""
    cached = getattr(_local, "encryptor", None)
    if cached is None or cached[0] != secret:
        cached = (secret, _cipher(secret).encryptor())
        _local.encryptor = cached
    return cached[1]


_NETWORK_INDEX = {name: index for index, name in enumerate(Network.ALL)}


def _check(secret: str, payload: bytes, organization_id: int) -> bytes:
    return hmac.digest(_keys(secret)[1], payload + _ORG.pack(organization_id), "sha256")[:6]


def link_token(
    organization_id: int, membership_id: int, item_id: int, network: str, kind: int
) -> str:
    """The token of a link of `membership_id` (the organization's id travels beside it in
    the URL, and is covered by the check)."""
    secret = settings.SECRET_KEY
    payload = _PAYLOAD.pack(membership_id, item_id, _NETWORK_INDEX[network], kind)
    check = _check(secret, payload, organization_id)
    block = _encryptor(secret).update(payload + check)
    return base64.urlsafe_b64encode(block).rstrip(b"=").decode("ascii")


def link_read(organization_id: int, token: str) -> LinkRef | None:
    if len(token) != 22:
        return None
    try:
        block = base64.urlsafe_b64decode(token + "==")
    except (binascii.Error, ValueError):
        return None
    secret = settings.SECRET_KEY
    decryptor = _cipher(secret).decryptor()
    plain = decryptor.update(block) + decryptor.finalize()
    payload, check = plain[:10], plain[10:]
    if not hmac.compare_digest(check, _check(secret, payload, organization_id)):
        return None
    membership_id, item_id, network, kind = _PAYLOAD.unpack(payload)
    if network >= len(Network.ALL) or kind not in (KIND_SHARE, KIND_GO):
        return None
    return LinkRef(membership_id, item_id, Network.ALL[network], kind)
