"""The signed parts of the emails' links.

- Unsubscribe: (membership id, organization id, list, day issued) and a keyed BLAKE2b MAC
  (a key derived from SECRET_KEY for this purpose only); accepted for `UNSUBSCRIBE_MAX_AGE`
  (a digest stays in a mailbox for months). Fast: one per email of a 100,000-member run.
- Share and "go" links (the buttons and the ready-to-copy posts): opaque, short and fast.
  16 bytes, one AES block under a key derived from SECRET_KEY: membership id, item id,
  network and kind (10 bytes), then a 6-byte keyed BLAKE2b MAC of those 10 bytes and the
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
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

from portevoix.core.networks import Network

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


def _unsubscribe_mac(secret: str, message: str) -> str:
    key = _keys(secret)[2]
    digest = hashlib.blake2b(message.encode("ascii"), key=key, digest_size=16).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def unsubscribe_token(
    membership_id: int, organization_id: int, email_list: str, *, day: int | None = None
) -> str:
    """`<member>.<organization>.<list>.<day issued>.<MAC>`: the MAC is a keyed BLAKE2b (key
    derived from SECRET_KEY for this purpose) of the rest; the day (since the epoch) makes
    it expire after UNSUBSCRIBE_MAX_AGE."""
    issued = day if day is not None else int(time.time() // 86400)
    message = f"{membership_id}.{organization_id}.{email_list}.{issued}"
    return f"{message}.{_unsubscribe_mac(settings.SECRET_KEY, message)}"


def unsubscribe_read(token: str) -> Unsubscribe | None:
    """What a good token unsubscribes; None when forged, altered or expired."""
    message, _dot, mac = token.rpartition(".")
    parts = message.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in (parts[0], parts[1], parts[3])):
        return None
    expected = _unsubscribe_mac(settings.SECRET_KEY, message)
    if not hmac.compare_digest(mac.encode("ascii", "replace"), expected.encode("ascii")):
        return None
    age_days = int(time.time() // 86400) - int(parts[3])
    if age_days * 86400 > UNSUBSCRIBE_MAX_AGE or age_days < -1:
        return None
    return Unsubscribe(int(parts[0]), int(parts[1]), parts[2])


@functools.lru_cache(maxsize=4)
def _keys(secret_key: str) -> tuple[bytes, bytes, bytes]:
    root = hmac.new(secret_key.encode("utf-8"), _LINK_PURPOSE, hashlib.sha256).digest()
    enc = hmac.new(root, b"encrypt", hashlib.sha256).digest()[:16]
    mac = hmac.new(root, b"check", hashlib.sha256).digest()[:32]
    unsubscribe = hmac.new(root, b"unsubscribe", hashlib.sha256).digest()[:32]
    return enc, mac, unsubscribe


@functools.lru_cache(maxsize=4)
def _cipher(secret_key: str) -> Cipher[modes.ECB]:
    enc = _keys(secret_key)[0]
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


def _check(mac_key: bytes, payload: bytes, organization_id: int) -> bytes:
    return hashlib.blake2b(
        payload + _ORG.pack(organization_id), key=mac_key, digest_size=6
    ).digest()


def link_token(
    organization_id: int, membership_id: int, item_id: int, network: str, kind: int
) -> str:
    """The token of a link of `membership_id` (the organization's id travels beside it in
    the URL, and is covered by the check)."""
    return link_tokens(organization_id, membership_id, [(item_id, network, kind)])[0]


def link_tokens(
    organization_id: int, membership_id: int, links: list[tuple[int, str, int]]
) -> list[str]:
    """The tokens of several links of one member at once (one AES call for all blocks)."""
    secret = settings.SECRET_KEY
    mac_key = _keys(secret)[1]
    blocks = []
    for item_id, network, kind in links:
        payload = _PAYLOAD.pack(membership_id, item_id, _NETWORK_INDEX[network], kind)
        blocks.append(payload + _check(mac_key, payload, organization_id))
    encrypted = _encryptor(secret).update(b"".join(blocks))
    encode = base64.urlsafe_b64encode
    return [
        encode(encrypted[i : i + 16]).rstrip(b"=").decode("ascii")
        for i in range(0, len(encrypted), 16)
    ]


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
    if not hmac.compare_digest(check, _check(_keys(secret)[1], payload, organization_id)):
        return None
    membership_id, item_id, network, kind = _PAYLOAD.unpack(payload)
    if network >= len(Network.ALL) or kind not in (KIND_SHARE, KIND_GO):
        return None
    return LinkRef(membership_id, item_id, Network.ALL[network], kind)
