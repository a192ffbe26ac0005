"""The social networks we know, and how each counts the length of a post.

Pure functions, no ORM. The same code validates copy on the server and feeds the
editor's live counter (through a JSON endpoint), so the two can never disagree.

Sources for each rule:
- X: twitter-text v3 weighted length (the `twitter-text-parser` package, a port of the
  official library): CJK and emoji weigh 2, every URL weighs 23, at most 280.
- Bluesky: 300 graphemes (app.bsky.feed.post `text` maxGraphemes).
- Mastodon: 500 by default; counted in graphemes after every URL with a scheme is
  replaced by 23 characters and every remote mention @user@domain by @user
  (Mastodon's StatusLengthValidator).
- Threads: 500 characters, emoji counted as their UTF-8 byte length, at most 5 links.
- LinkedIn: 3,000 characters (UTF-16 code units, as LinkedIn's editor counts them).
- Facebook: 63,206 characters.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex
from twitter_text import extract_urls_with_indices, parse_tweet


class Network:
    LINKEDIN = "linkedin"
    X = "x"
    FACEBOOK = "facebook"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    THREADS = "threads"

    ALL = ("linkedin", "x", "facebook", "mastodon", "bluesky", "threads")
    LABELS = {
        "linkedin": "LinkedIn",
        "x": "X",
        "facebook": "Facebook",
        "mastodon": "Mastodon",
        "bluesky": "Bluesky",
        "threads": "Threads",
    }


NETWORK_CHOICES = [(code, Network.LABELS[code]) for code in Network.ALL]

LIMITS = {
    Network.LINKEDIN: 3000,
    Network.X: 280,
    Network.FACEBOOK: 63206,
    Network.MASTODON: 500,
    Network.BLUESKY: 300,
    Network.THREADS: 500,
}
UNITS = {
    Network.LINKEDIN: "characters",
    Network.X: "weighted characters",
    Network.FACEBOOK: "characters",
    Network.MASTODON: "characters",
    Network.BLUESKY: "graphemes",
    Network.THREADS: "characters",
}
THREADS_MAX_LINKS = 5
MASTODON_URL_LENGTH = 23

_GRAPHEME = regex.compile(r"\X")
_PICTOGRAPHIC = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")
_MASTODON_URL = regex.compile(r"https?://[^\s<>\"]+", regex.IGNORECASE)
_MASTODON_MENTION = regex.compile(
    r"(?<![\w/@])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)@[a-z0-9.-]+\.[a-z]{2,}", regex.IGNORECASE
)


@dataclass(frozen=True)
class CopyCheck:
    network: str
    length: int
    limit: int
    unit: str
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def remaining(self) -> int:
        return self.limit - self.length


def grapheme_count(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def x_length(text: str) -> int:
    return int(parse_tweet(text).weightedLength)


def mastodon_length(text: str) -> int:
    countable = _MASTODON_URL.sub("x" * MASTODON_URL_LENGTH, text)
    countable = _MASTODON_MENTION.sub(lambda m: "@" + m.group(1), countable)
    return grapheme_count(countable)


def threads_length(text: str) -> int:
    total = 0
    for cluster in _GRAPHEME.findall(text):
        if _PICTOGRAPHIC.search(cluster):
            total += len(cluster.encode("utf-8"))
        else:
            total += len(cluster)
    return total


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_COUNTERS = {
    Network.LINKEDIN: utf16_length,
    Network.X: x_length,
    Network.FACEBOOK: utf16_length,
    Network.MASTODON: mastodon_length,
    Network.BLUESKY: grapheme_count,
    Network.THREADS: threads_length,
}


def count(network: str, text: str) -> int:
    try:
        counter = _COUNTERS[network]
    except KeyError as exc:
        raise ValueError(f"unknown network {network!r}") from exc
    return counter(text)


def check_copy(network: str, text: str) -> CopyCheck:
    """Length and rules of `text` on `network`; `errors` are human messages (English;
    callers translate through `describe_errors`)."""
    length = count(network, text)
    limit = LIMITS[network]
    errors: list[str] = []
    if not text.strip():
        errors.append("empty")
    if length > limit:
        errors.append("too_long")
    if network == Network.THREADS:
        links = {u["url"] for u in extract_urls_with_indices(text)}
        if len(links) > THREADS_MAX_LINKS:
            errors.append("too_many_links")
    return CopyCheck(network, length, limit, UNITS[network], tuple(errors))
