"""Visitors of tracked links, counted without storing who they are.

A visitor is `blake2b(ip, user agent)` keyed with a salt of the day: the raw IP is never
stored, and the same person gets a different hash every day, so visits cannot be linked
across days (by design, "unique visitors" over a period is a sum of daily uniques).

The daily salt is HMAC-SHA256(server secret, day) with the server secret derived from
SECRET_KEY. Salts are not stored anywhere: each is recomputed on the fly, so "rotation" is
by day. Honest limit: whoever holds SECRET_KEY can recompute any past day's salt, and
with it test a guessed (IP, user agent) pair against a stored hash; without SECRET_KEY
yesterday's hashes cannot be recomputed. See docs/metrics.md.

This module is imported by the redirect's hot path: it imports nothing but settings.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import zoneinfo

from django.conf import settings

_PURPOSE = b"portevoix.sharing.visitor-salt.v1"


@functools.lru_cache(maxsize=4)
def _secret(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode("utf-8"), _PURPOSE, hashlib.sha256).digest()


@functools.lru_cache(maxsize=8)
def _salt(secret_key: str, day: dt.date) -> bytes:
    return hmac.new(_secret(secret_key), day.isoformat().encode("ascii"), hashlib.sha256).digest()


def daily_salt(day: dt.date) -> bytes:
    """The salt of `day` (32 bytes), derived from the server secret; never stored."""
    return _salt(settings.SECRET_KEY, day)


def visitor_hash(ip: str, user_agent: str, day: dt.date) -> str:
    """32 hex characters that identify a visitor for one day only."""
    digest = hashlib.blake2b(
        f"{ip}\n{user_agent}".encode("utf-8", "replace"), key=daily_salt(day), digest_size=16
    )
    return digest.hexdigest()


_MARK_PURPOSE = b"portevoix.sharing.member-mark.v1"
# The first-party cookie that marks a signed-in member's browser (docs/decisions/0005).
MEMBER_COOKIE = "pv_m"


@functools.lru_cache(maxsize=4)
def _mark_secret(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode("utf-8"), _MARK_PURPOSE, hashlib.sha256).digest()


@functools.lru_cache(maxsize=4096)
def member_mark(user_id: int) -> str:
    """24 hex characters that mark one person's browser (the value of `MEMBER_COOKIE`): a
    keyed hash of their user id, meaningless without the server secret. Only compared with
    the mark of a link's owner in the redirect, never stored (docs/decisions/0005)."""
    digest = hmac.new(
        _mark_secret(settings.SECRET_KEY), f"user:{user_id}".encode("ascii"), hashlib.sha256
    )
    return digest.hexdigest()[:24]


def mark_in_cookies(cookie_header: str) -> str:
    """The member mark in a raw Cookie header ("" when absent): a substring search, no
    parsing (the redirect's hot path)."""
    at = cookie_header.find(MEMBER_COOKIE + "=")
    if at < 0:
        return ""
    if at and cookie_header[at - 1] not in " ;":
        return ""  # another cookie whose name ends with "pv_m"
    start = at + len(MEMBER_COOKIE) + 1
    return cookie_header[start : start + 24]


@functools.lru_cache(maxsize=4)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local_day(at: dt.datetime) -> dt.date:
    """The calendar day of `at` in the platform's time zone (settings.TIME_ZONE): the day of
    the visitor salt, of the click and of its rollup cell."""
    if at.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return at.astimezone(_zone(settings.TIME_ZONE)).date()
