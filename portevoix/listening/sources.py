"""The listening sources, each behind one small contract: `Source.fetch(state)` returns the
new entries and the state to keep for next time. RSS and Atom feeds are the first source;
Bluesky, Mastodon and Hacker News are to follow (decision 0025).

The RSS source asks with a conditional GET (If-None-Match / If-Modified-Since from the
ETag and Last-Modified kept per feed) through the project's SSRF-guarded HTTP client
(`networks.base`: public addresses only, checked when connecting; no redirect followed),
reads at most `MAX_FEED_BYTES` within `FETCH_SECONDS`, and parses with feedparser.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import time
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import feedparser
import httpx
import nh3
from django.utils.translation import gettext as _

from portevoix.networks import base

from .matching import language_code

RSS = "rss"
MAX_FEED_BYTES = 2 * 1024 * 1024
FETCH_SECONDS = 15.0
MAX_TEXT = 2000
MAX_AUTHOR = 200


class SourceError(Exception):
    """A fetch that failed: `message` is short and safe to show (no body, no address)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Entry:
    """One post or feed entry, reduced to what a mention keeps."""

    key: str  # stable per source: a hash of the network and the guid (or link)
    url: str
    text: str
    author: str
    published_at: dt.datetime | None
    language: str


@dataclass(frozen=True)
class FetchState:
    url: str
    etag: str = ""
    last_modified: str = ""


@dataclass
class FetchResult:
    not_modified: bool = False
    entries: list[Entry] = field(default_factory=list)
    etag: str = ""
    last_modified: str = ""


class Source(Protocol):
    network: str

    def fetch(self, state: FetchState) -> FetchResult: ...


def entry_key(network: str, identity: str) -> str:
    return hashlib.sha256(f"{network}\n{identity}".encode()).hexdigest()


def _web_url(value: str) -> str:
    """The link if it is an http(s) address (a feed may hold anything), else ""."""
    value = (value or "").strip()
    parts = urlsplit(value)
    return value[:1000] if parts.scheme in ("http", "https") and parts.netloc else ""


def _plain(value: str) -> str:
    """Text of an HTML fragment: tags dropped, entities read, spaces collapsed."""
    text = html.unescape(nh3.clean(value or "", tags=set()))
    return " ".join(text.split())


def _when(entry: Any) -> dt.datetime | None:
    for name in ("published_parsed", "updated_parsed"):
        parsed = entry.get(name)
        if parsed:
            return dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC)
    return None


def parse_feed(body: bytes) -> list[Entry]:
    """The entries of an RSS or Atom document (a malformed one gives what could be read)."""
    parsed = feedparser.parse(body)
    feed_language = language_code(parsed.feed.get("language"))
    entries = []
    for item in parsed.entries:
        url = _web_url(item.get("link", ""))
        identity = (item.get("id") or "").strip() or url
        if not identity:
            continue
        title = _plain(item.get("title", ""))
        summary = _plain(item.get("summary", ""))
        text = title if not summary or summary == title else f"{title}\n{summary}".strip()
        if not text:
            continue
        language = language_code(item.get("language")) or feed_language
        if not language:
            detail = item.get("title_detail") or {}
            language = language_code(detail.get("language"))
        entries.append(
            Entry(
                key=entry_key(RSS, identity[:2000]),
                url=url,
                text=text[:MAX_TEXT],
                author=_plain(item.get("author", ""))[:MAX_AUTHOR],
                published_at=_when(item),
                language=language,
            )
        )
    return entries


class RssSource:
    network = RSS

    def fetch(self, state: FetchState) -> FetchResult:
        try:
            base.guard_url(state.url)
        except base.UnsafeAddress as exc:
            raise SourceError(exc.user_message) from exc
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9"}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        deadline = time.monotonic() + FETCH_SECONDS
        try:
            with (
                base.http_client(timeout=httpx.Timeout(FETCH_SECONDS)) as client,
                client.stream("GET", state.url, headers=headers) as response,
            ):
                if response.status_code == 304:
                    return FetchResult(
                        not_modified=True, etag=state.etag, last_modified=state.last_modified
                    )
                if response.status_code != 200:
                    raise SourceError(
                        _("The feed answered %(status)d.") % {"status": response.status_code}
                    )
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_FEED_BYTES:
                        raise SourceError(_("The feed is too large."))
                    if time.monotonic() > deadline:
                        raise SourceError(_("The feed took too long."))
                etag = response.headers.get("etag", "")[:200]
                last_modified = response.headers.get("last-modified", "")[:100]
        except base.UnsafeAddress as exc:
            raise SourceError(exc.user_message) from exc
        except httpx.HTTPError as exc:
            raise SourceError(_("The feed could not be reached.")) from exc
        return FetchResult(entries=parse_feed(bytes(body)), etag=etag, last_modified=last_modified)


SOURCES: dict[str, Source] = {RSS: RssSource()}
