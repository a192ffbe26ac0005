"""Visitors are a salted hash whose salt changes every day; the raw IP is never kept."""

from __future__ import annotations

import datetime as dt
import re

from django.test import override_settings

from portevoix.sharing import selectors
from portevoix.sharing.visitor import daily_salt, local_day, visitor_hash

DAY = dt.date(2026, 3, 14)
UA = "Mozilla/5.0 (X11; Linux x86_64)"


def test_hash_is_32_hex_characters_and_stable_within_a_day():
    first = visitor_hash("203.0.113.7", UA, DAY)
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert visitor_hash("203.0.113.7", UA, DAY) == first
    assert "203.0.113.7" not in first


def test_hash_changes_with_the_day_ip_and_user_agent():
    base = visitor_hash("203.0.113.7", UA, DAY)
    assert visitor_hash("203.0.113.7", UA, DAY + dt.timedelta(days=1)) != base
    assert visitor_hash("203.0.113.8", UA, DAY) != base
    assert visitor_hash("203.0.113.7", UA + " Firefox", DAY) != base


def test_salt_rotates_daily_and_depends_on_the_server_secret():
    salt = daily_salt(DAY)
    digest = visitor_hash("203.0.113.7", UA, DAY)
    assert len(salt) == 32
    assert daily_salt(DAY + dt.timedelta(days=1)) != salt
    with override_settings(SECRET_KEY="another-secret-key-that-is-long-enough-0123456789"):
        assert daily_salt(DAY) != salt
        assert visitor_hash("203.0.113.7", UA, DAY) != digest


def test_local_day_is_in_the_platform_time_zone():
    # 23:30 UTC on March 14 is already March 15 in Paris.
    at = dt.datetime(2026, 3, 14, 23, 30, tzinfo=dt.UTC)
    assert local_day(at) == dt.date(2026, 3, 15)


def test_ambassador_pseudonym_is_short_stable_and_secret_dependent():
    first = selectors.ambassador_pseudonym(42)
    assert re.fullmatch(r"[0-9a-f]{10}", first)
    assert selectors.ambassador_pseudonym(42) == first
    assert selectors.ambassador_pseudonym(43) != first
    with override_settings(SECRET_KEY="another-secret-key-that-is-long-enough-0123456789"):
        assert selectors.ambassador_pseudonym(42) != first
