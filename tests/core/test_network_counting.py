"""Counting as each network enforces it, so that nothing we accept is refused at publish time:
Mastodon's StatusLengthValidator (twitter-text URL extraction, Account::MENTION_RE), Bluesky's
3,000-byte limit beside its 300 graphemes, and X's invalid characters."""

from __future__ import annotations

import pytest
from django.utils import translation

from portevoix.core.networks import (
    BLUESKY_MAX_BYTES,
    LIMITS,
    Network,
    check_copy,
    count,
    error_message,
)

LONG_PATH = "/a/very/long/path/that/is/much/longer/than/twenty-three/characters"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Trailing punctuation is not part of the link: 23 + the punctuation.
        ("https://example.org/page.", 23 + 1),
        ("https://example.org/page!", 23 + 1),
        ("(https://example.org/page)", 1 + 23 + 1),
        (f"Voir https://example.org{LONG_PATH}, puis", 5 + 23 + 6),
        # twitter-text does not extract a URL on an IP address or an unknown TLD: in full.
        (f"http://192.168.1.10{LONG_PATH}", len(f"http://192.168.1.10{LONG_PATH}")),
        (f"https://intranet.corp{LONG_PATH}", len(f"https://intranet.corp{LONG_PATH}")),
        # Without a scheme Mastodon links nothing: counted as written.
        (f"example.org{LONG_PATH}", len(f"example.org{LONG_PATH}")),
        # A known TLD with a scheme: 23, whatever its length.
        (f"https://example.org{LONG_PATH}", 23),
        # Mentions count as @user whatever the domain.
        ("@alice@mastodon.social", 6),
        ("@alice@localhost", 6),
        ("@alice@münchen.example bonjour", 6 + 8),
        ("@alice@xn--mnchen-3ya.de", 6),
        ("@bob", 4),
        # Not a mention: an email address, or an @ after a slash (inside a URL) or a word.
        ("écrire à alice@example.org", len("écrire à alice@example.org")),
        # A mention inside a URL is part of the URL.
        ("https://mastodon.social/@alice@example.org", 23),
    ],
)
def test_mastodon_counts_like_its_validator(text: str, expected: int) -> None:
    assert count(Network.MASTODON, text) == expected


def test_mastodon_trailing_period_can_tip_over_the_limit() -> None:
    text = "a" * (LIMITS[Network.MASTODON] - 24) + " https://example.org/page"
    assert check_copy(Network.MASTODON, text).ok
    assert check_copy(Network.MASTODON, text + ".").errors == ("too_long",)


def test_mastodon_url_glued_to_a_word_is_not_a_link() -> None:
    # twitter-text does not extract a URL preceded by a letter: Mastodon counts it in full.
    assert count(Network.MASTODON, "voirhttps://example.org/page") == 28


def test_mastodon_ip_url_is_not_a_23_character_link() -> None:
    url = f"http://203.0.113.5{LONG_PATH}"
    text = "a" * (LIMITS[Network.MASTODON] - 40) + url
    assert check_copy(Network.MASTODON, text).errors == ("too_long",)


def test_bluesky_refuses_more_than_3000_bytes_within_300_graphemes() -> None:
    family = "👨‍👩‍👧‍👦"  # one grapheme, 25 bytes of UTF-8
    text = family * 150
    check = check_copy(Network.BLUESKY, text)
    assert check.length == 150 <= LIMITS[Network.BLUESKY]
    assert len(text.encode()) > BLUESKY_MAX_BYTES
    assert check.errors == ("too_many_bytes",)
    fits = family * (BLUESKY_MAX_BYTES // len(family.encode()))
    assert check_copy(Network.BLUESKY, fits).ok


def test_bluesky_byte_limit_is_inclusive() -> None:
    family = "👨‍👩‍👧‍👦"
    exactly = family * 120  # 3,000 bytes, 120 graphemes
    assert len(exactly.encode()) == BLUESKY_MAX_BYTES
    assert check_copy(Network.BLUESKY, exactly).ok
    assert check_copy(Network.BLUESKY, exactly + "a").errors == ("too_many_bytes",)


@pytest.mark.parametrize("char", ["\ufffe", "\uffff", "\ufeff"])
def test_x_refuses_invalid_characters(char: str) -> None:
    check = check_copy(Network.X, f"Bonjour {char} le monde")
    assert check.errors == ("invalid_characters",)
    assert not check.ok


def test_x_accepts_ordinary_text_and_other_networks_keep_those_characters() -> None:
    assert check_copy(Network.X, "Bonjour le monde 😀").ok
    assert check_copy(Network.MASTODON, "Bonjour \ufffe").ok


@pytest.mark.parametrize(
    ("network", "code", "english", "french"),
    [
        (Network.BLUESKY, "too_many_bytes", "3000 bytes", "3000 octets"),
        (Network.X, "invalid_characters", "characters the network refuses", "réseau refuse"),
    ],
)
def test_new_codes_have_messages_in_both_languages(
    network: str, code: str, english: str, french: str
) -> None:
    with translation.override("en"):
        assert english in (error_message(network, code) or "")
    with translation.override("fr"):
        assert french in (error_message(network, code) or "")
    assert error_message(network, "too_long") is None  # built by the caller, with the length
