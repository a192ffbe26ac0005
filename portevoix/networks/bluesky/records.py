"""Bluesky records: constants, record keys (TIDs), rich-text link facets, card images."""

from __future__ import annotations

import io
import re
import secrets
import time
from collections.abc import Iterable
from typing import Any

from PIL import Image

POST_COLLECTION = "app.bsky.feed.post"
GET_POSTS_MAX = 25
# app.bsky.embed.external#external: thumb is an image blob of 1,000,000 bytes at most.
THUMB_MAX_BYTES = 1_000_000
# What we read of a link's image before giving up on it.
THUMB_FETCH_MAX_BYTES = 10_000_000
THUMB_MAX_SIDE = 1200
APP_URL = "https://bsky.app"

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")

# Errors by which a PDS says the access token is no longer good: refresh, then retry once.
_EXPIRED = ("ExpiredToken", "InvalidToken")


# --------------------------------------------------------------------------- record keys


def make_tid(timestamp_us: int | None = None, clock_id: int | None = None) -> str:
    """A TID: the top bit 0, 53 bits of microseconds since the UNIX epoch, 10 bits of clock
    identifier, written as 13 base32-sortable characters (so TIDs sort by time)."""
    if timestamp_us is None:
        timestamp_us = time.time_ns() // 1000
    if clock_id is None:
        clock_id = secrets.randbelow(1024)
    if not 0 <= timestamp_us < 1 << 53 or not 0 <= clock_id < 1 << 10:
        raise ValueError("timestamp or clock id out of range")
    value = (timestamp_us << 10) | clock_id
    chars = []
    for _i in range(13):
        chars.append(TID_ALPHABET[value & 0x1F])
        value >>= 5
    return "".join(reversed(chars))


def tid_timestamp_us(tid: str) -> int:
    """The microseconds since the epoch that a TID carries."""
    if not TID_RE.match(tid):
        raise ValueError(f"not a TID: {tid!r}")
    value = 0
    for char in tid:
        value = (value << 5) | TID_ALPHABET.index(char)
    return value >> 10


def is_tid(value: str) -> bool:
    return bool(TID_RE.match(value))


# --------------------------------------------------------------------------- rich text

# An http(s) URL in running text: up to the next space or quote-like character.
_URL_RE = re.compile(r"https?://[^\s<>\"'`«»\u201c\u201d\u2018\u2019]+", re.IGNORECASE)
_TRAILING = ".,;:!?…)]}"
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _trim_url(url: str) -> str:
    """Drop the punctuation that ends a sentence rather than the URL: "(see https://x.y/a)."
    keeps "https://x.y/a", "https://x.y/a_(b)" keeps its balanced parenthesis."""
    while url and url[-1] in _TRAILING:
        last = url[-1]
        opening = _PAIRS.get(last)
        if opening and url.count(opening) >= url.count(last):
            break
        url = url[:-1]
    return url


def utf8_offset(text: str, index: int) -> int:
    """The UTF-8 byte offset of the character at `index` (a str index) of `text`."""
    return len(text[:index].encode("utf-8"))


def link_facets(text: str, link_urls: Iterable[str] = ()) -> list[dict[str, Any]]:
    """`app.bsky.richtext.facet` link facets for every http(s) URL written in `text`, with
    UTF-8 byte offsets. `link_urls` (the tracked link) are also found where they stand exactly
    as given, whatever the characters around them."""
    spans: dict[tuple[int, int], str] = {}
    for match in _URL_RE.finditer(text):
        url = _trim_url(match.group(0))
        if len(url) > len(match.group(0).split("://", 1)[0]) + 3:
            spans[(match.start(), match.start() + len(url))] = url
    for link in link_urls:
        if not link:
            continue
        start = text.find(link)
        while start != -1:
            end = start + len(link)
            # The longest span wins: drop any detected URL inside this one.
            for key in [k for k in spans if k[0] >= start and k[1] <= end]:
                del spans[key]
            if not any(k[0] <= start and k[1] >= end for k in spans):
                spans[(start, end)] = link
            start = text.find(link, end)
    facets = []
    for (start, end), url in sorted(spans.items()):
        facets.append(
            {
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": utf8_offset(text, start), "byteEnd": utf8_offset(text, end)},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        )
    return facets


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _fit_thumb(data: bytes, mime: str) -> tuple[bytes | None, str]:
    """The image as it may go in a card (1 MB at most): as is when small enough, else
    scaled down and re-encoded as JPEG; None when it is not an image Pillow can read."""
    if len(data) <= THUMB_MAX_BYTES:
        return data, mime
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((THUMB_MAX_SIDE, THUMB_MAX_SIDE))
            converted = image.convert("RGB")
            for quality in (85, 70, 50):
                out = io.BytesIO()
                converted.save(out, format="JPEG", quality=quality, optimize=True)
                if out.tell() <= THUMB_MAX_BYTES:
                    return out.getvalue(), "image/jpeg"
    except (OSError, ValueError, Image.DecompressionBombError):
        return None, mime
    return None, mime
