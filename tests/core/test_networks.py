"""Per-network length rules, checked on a table of tricky cases."""

from __future__ import annotations

import pytest

from portevoix.core.networks import LIMITS, Network, check_copy, count

URL = "https://example.org/a/very/long/path/that/is/much/longer/than/twenty-three/characters"


@pytest.mark.parametrize(
    ("network", "text", "expected"),
    [
        # X: twitter-text v3 weighting: Latin 1, CJK and emoji 2, every URL 23.
        (Network.X, "hello", 5),
        (Network.X, "été", 3),
        (Network.X, URL, 23),
        (Network.X, f"Voir {URL} et {URL}", 5 + 23 + 4 + 23),
        (Network.X, "日本語", 6),
        (Network.X, "😀", 2),
        (Network.X, "👨‍👩‍👧", 2),
        # Bluesky: graphemes.
        (Network.BLUESKY, "👨‍👩‍👧", 1),
        (Network.BLUESKY, "e\u0301", 1),
        (Network.BLUESKY, URL, len(URL)),
        # Mastodon: graphemes, URLs with a scheme count 23, remote mentions count as local.
        (Network.MASTODON, URL, 23),
        (Network.MASTODON, "@alice@mastodon.social", 6),
        (Network.MASTODON, "example.org", 11),
        (Network.MASTODON, "👨‍👩‍👧", 1),
        # Threads: characters, emoji counted as their UTF-8 bytes.
        (Network.THREADS, "abc", 3),
        (Network.THREADS, "😀", 4),
        (Network.THREADS, "é", 1),
        # LinkedIn and Facebook: UTF-16 code units.
        (Network.LINKEDIN, "😀", 2),
        (Network.LINKEDIN, "été", 3),
        (Network.FACEBOOK, "abc", 3),
    ],
)
def test_count(network: str, text: str, expected: int) -> None:
    assert count(network, text) == expected


@pytest.mark.parametrize("network", Network.ALL)
def test_limit_boundary(network: str) -> None:
    limit = LIMITS[network]
    assert check_copy(network, "a" * limit).ok
    over = check_copy(network, "a" * (limit + 1))
    assert not over.ok
    assert over.errors == ("too_long",)
    assert over.remaining == -1


def test_x_long_url_fits_when_counted_as_23() -> None:
    text = "a" * 256 + " " + URL  # 256 + 1 + 23 = 280
    assert check_copy(Network.X, text).ok
    assert not check_copy(Network.X, "a" * 257 + " " + URL).ok


def test_empty_copy_is_refused() -> None:
    assert check_copy(Network.LINKEDIN, "   ").errors == ("empty",)


def test_threads_link_limit() -> None:
    text = " ".join(f"https://example{i}.org" for i in range(6))
    assert "too_many_links" in check_copy(Network.THREADS, text).errors


def test_unknown_network() -> None:
    with pytest.raises(ValueError):
        count("myspace", "hi")
