"""The social networks we know, and how each counts the length of a post.

Pure functions, no ORM. The same code validates copy on the server and feeds the
editor's live counter (through a JSON endpoint), so the two can never disagree.

Sources for each rule:
- X: twitter-text v3 weighted length (the `twitter-text-parser` package, a port of the
  official library): CJK and emoji weigh 2, every URL weighs 23, at most 280; a text
  with a character twitter-text calls invalid (U+FFFE, U+FEFF, U+FFFF) is refused.
- Bluesky: 300 graphemes and 3,000 bytes of UTF-8 (app.bsky.feed.post `text`:
  maxGraphemes 300, maxLength 3000).
- Mastodon: 500 by default; counted in graphemes after every URL that twitter-text
  extracts with its scheme is replaced by 23 characters and every mention @user@domain by
  @user (Mastodon's StatusLengthValidator: twitter-text's URL extraction without
  protocol-less URLs, so trailing punctuation stays outside the link and a URL on an IP
  address or an unknown top-level domain counts in full; Account::MENTION_RE for
  mentions, whose domain is any run of word characters, dots and dashes).
- Threads: 500 characters, emoji counted as their UTF-8 byte length, at most 5 links.
- LinkedIn: 3,000 characters (UTF-16 code units, as LinkedIn's editor counts them).
- Facebook: 63,206 characters.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex
from django.utils.translation import gettext as _
from twitter_text import extract_urls_with_indices, parse_tweet
from twitter_text.has_invalid_characters import has_invalid_characters


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
BLUESKY_MAX_BYTES = 3000

_GRAPHEME = regex.compile(r"\X")
_PICTOGRAPHIC = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")
# Mastodon's Account::MENTION_RE:
#   (?<![=/[:word:]])@((USERNAME_RE)(?:@[[:word:]]+([.-]+[[:word:]]+)*)?)
# with USERNAME_RE `[a-z0-9_]+([.-]+[a-z0-9_]+)*`, case-insensitive. Group 1: the username.
_MASTODON_MENTION = regex.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@\w+(?:[.-]+\w+)*)?", regex.IGNORECASE
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
    """Mastodon's StatusLengthValidator#countable_text: the URLs twitter-text extracts (with a
    scheme) and the mentions, overlapping ones removed (the first one wins), rewritten as 23
    characters and `@user`; then graphemes."""
    entities: list[tuple[int, int, str]] = [
        (url["indices"][0], url["indices"][1], "x" * MASTODON_URL_LENGTH)
        for url in extract_urls_with_indices(text, extract_urls_without_protocol=False)
    ]
    if "@" in text:
        entities += [
            (m.start(), m.end(), "@" + m.group(1)) for m in _MASTODON_MENTION.finditer(text)
        ]
    entities.sort(key=lambda entity: entity[0])
    parts: list[str] = []
    position = 0
    for start, end, replacement in entities:
        if start < position:  # overlaps the previous entity (a mention inside a URL)
            continue
        parts += [text[position:start], replacement]
        position = end
    parts.append(text[position:])
    return grapheme_count("".join(parts))


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
    if network == Network.BLUESKY and len(text.encode("utf-8")) > BLUESKY_MAX_BYTES:
        errors.append("too_many_bytes")
    if network == Network.X and has_invalid_characters(text):
        errors.append("invalid_characters")
    return CopyCheck(network, length, limit, UNITS[network], tuple(errors))


def error_message(network: str, code: str) -> str | None:
    """The message (in the active language) of the codes that carry no length figure:
    `too_many_bytes` (Bluesky) and `invalid_characters` (X); None for the other codes, whose
    messages are built by the caller with the length (`content.services.copy_error_message`)."""
    label = Network.LABELS.get(network, network)
    if code == "too_many_bytes":
        return _(
            "%(network)s: the text is longer than %(limit)d bytes once encoded (UTF-8); shorten it."
        ) % {"network": label, "limit": BLUESKY_MAX_BYTES}
    if code == "invalid_characters":
        return _(
            "%(network)s: the text contains characters the network refuses "
            "(U+FEFF, U+FFFE or U+FFFF); remove them."
        ) % {"network": label}
    return None
