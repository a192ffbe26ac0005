"""Share and compose pages of each network, with the text and link prefilled where the
network allows it. Pure functions: no ORM, no settings.

The shapes, as each network documents its web intent:

- LinkedIn: https://www.linkedin.com/sharing/share-offsite/?url=<url>
  (the link only: LinkedIn takes no text; the "copy text" button gives it)
- X: https://x.com/intent/post?text=<text>&url=<url>
  (the text does not repeat the link: X appends `url` after the text and counts it as 23)
- Facebook: https://www.facebook.com/sharer/sharer.php?u=<url>
  (the link only: Facebook's policy forbids prefilling the text)
- Threads: https://www.threads.net/intent/post?text=<text with the link>
- Bluesky: https://bsky.app/intent/compose?text=<text with the link>
- Mastodon: https://<instance>/share?text=<text with the link>
  (on the ambassador's own instance, a bare host name)

Every value is percent-encoded as UTF-8 with `quote(value, safe="")`: spaces are %20,
newlines %0A, `&` %26, `#` %23, `+` %2B, and emoji or non-Latin text round-trip exactly.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from portevoix.core.networks import Network

# Networks whose intent carries the link in its own parameter.
URL_PARAM_NETWORKS = frozenset({Network.LINKEDIN, Network.X, Network.FACEBOOK})
# Networks whose intent cannot prefill the text: the ambassador pastes it (copy button).
NO_TEXT_NETWORKS = frozenset({Network.LINKEDIN, Network.FACEBOOK})

_HOST_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_BLANKS = re.compile(r"[ \t]{2,}")
# Characters that may end a link in running text without being part of it.
_LINK_END = r"(?=$|[\s)\]>»\"'.,;:!?])"


def _q(value: str) -> str:
    return quote(value, safe="")


def normalize_instance(value: str | None) -> str | None:
    """A Mastodon instance as a bare host name (`mastodon.social`), or None when `value` is
    not one: only a-z, 0-9, dots and hyphens, at least two labels; no scheme, port, path,
    user or query. International names are turned into their ASCII (punycode) form."""
    host = (value or "").strip().lower().rstrip(".")
    if not host or len(host) > 253:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    labels = host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        return None
    if labels[-1].isdigit():  # an IP address, not a host name
        return None
    return host


def substitute_link(text: str, item_link: str, short_url: str) -> str:
    """`text` with every occurrence of the item's link replaced by the tracked short link
    (a longer URL that merely starts with the item's link is left alone)."""
    if not item_link:
        return text
    pattern = re.compile(re.escape(item_link) + _LINK_END)
    return pattern.sub(lambda _m: short_url, text)


def compose_text(copy_text: str, *, item_link: str, short_url: str) -> str:
    """The post as the ambassador publishes it (and as "copy text" gives it): the chosen
    copy with the item's link replaced by the short link, or the short link appended when
    the copy has no link."""
    text = copy_text.replace("\r\n", "\n").replace("\r", "\n").strip()
    text = substitute_link(text, item_link, short_url)
    if short_url not in text:
        text = f"{text}\n\n{short_url}" if text else short_url
    return text


def x_text(full_text: str, short_url: str) -> str:
    """The `text` of the X intent: the post without the link, which goes in `url`."""
    text = full_text.replace(short_url, "")
    lines = [_BLANKS.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def posted_text(network: str, full_text: str, short_url: str) -> str:
    """What the network's compose box will hold, to count its length: on X the text and
    the link that X appends after a space; elsewhere the full text."""
    if network == Network.X:
        text = x_text(full_text, short_url)
        return f"{text} {short_url}" if text else short_url
    return full_text


def intent_url(network: str, *, text: str, url: str, instance: str | None = None) -> str:
    """The share page of `network` for the post `text` (which contains the link `url`)."""
    if network == Network.LINKEDIN:
        return f"https://www.linkedin.com/sharing/share-offsite/?url={_q(url)}"
    if network == Network.FACEBOOK:
        return f"https://www.facebook.com/sharer/sharer.php?u={_q(url)}"
    if network == Network.X:
        body = x_text(text, url)
        if not body:
            return f"https://x.com/intent/post?url={_q(url)}"
        return f"https://x.com/intent/post?text={_q(body)}&url={_q(url)}"
    if network == Network.THREADS:
        return f"https://www.threads.net/intent/post?text={_q(text)}"
    if network == Network.BLUESKY:
        return f"https://bsky.app/intent/compose?text={_q(text)}"
    if network == Network.MASTODON:
        host = normalize_instance(instance)
        if host is None:
            raise ValueError("a Mastodon share needs the ambassador's instance host")
        return f"https://{host}/share?text={_q(text)}"
    raise ValueError(f"unknown network {network!r}")
