"""The listening sources, each behind one small contract: `Source.fetch(state)` returns the
new entries and the state to keep for next time. RSS and Atom feeds, the Hacker News search
API, Mastodon hashtag timelines and, with an account's token, its home timeline (followed
accounts' public posts, decision 0031); the Reddit search is in `reddit.py` (it needs the
organization's own credentials, decision 0032). The Bluesky firehose is a stream, not a poll: its
source is `bluesky.py`, its worker `stream.py` (decision 0026); only the address check of its
host is here, for the form, without loading the atproto SDK.

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
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, urlsplit

import feedparser
import httpx
import nh3
from django.conf import settings
from django.utils.translation import gettext as _

from portevoix.networks import base

from .matching import language_code

RSS = "rss"
HACKERNEWS = "hackernews"
MASTODON = "mastodon"
MAX_FEED_BYTES = 2 * 1024 * 1024
FETCH_SECONDS = 15.0
MAX_TEXT = 2000
MAX_AUTHOR = 200
MAX_TITLE = 200


class SourceError(Exception):
    """A fetch that failed: `message` is short and safe to show (no body, no address).
    `retry_at`: the source asks not to be polled before then (a rate limit)."""

    def __init__(self, message: str, *, retry_at: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_at = retry_at


@dataclass(frozen=True)
class Entry:
    """One post or feed entry, reduced to what a mention keeps."""

    key: str  # stable per source: a hash of the network and the guid (or link)
    url: str
    text: str
    author: str
    published_at: dt.datetime | None
    language: str
    title: str = ""  # a feed entry's own title (curation proposes it as an item's title)


@dataclass(frozen=True)
class FetchState:
    url: str
    etag: str = ""
    last_modified: str = ""
    query: str = ""  # a search (Hacker News) or a hashtag (Mastodon)
    terms: tuple[str, ...] = ()  # searched one by one when there is no query
    cursor: str = ""  # where the last fetch stopped (newest time or id seen)
    subreddit: str = ""  # Reddit: the search restricted to this subreddit
    token: str = ""  # an account's access token (Mastodon home), decrypted for this fetch

    def __repr__(self) -> str:  # never the token, in a traceback or a log
        return f"FetchState(url={self.url!r}, query={self.query!r}, cursor={self.cursor!r})"


@dataclass
class FetchResult:
    not_modified: bool = False
    entries: list[Entry] = field(default_factory=list)
    etag: str = ""
    last_modified: str = ""
    cursor: str = ""
    # A fetch cut short by a rate limit: what was read is kept, `note` says why it stopped
    # (kept as the feed's last result) and the next poll waits until `retry_at`.
    note: str = ""
    retry_at: dt.datetime | None = None


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
                title=title[:MAX_TITLE],
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


# --------------------------------------------------------------------------- JSON APIs

MAX_SEARCHES = 20  # Hacker News searches per poll when the monitors' terms are used
HN_PAGE = 100
HN_PAGES = 5  # pages of one search read per poll, after the first (a burst: 500 hits)
MASTODON_PAGE = 40


def _get_json(url: str, params: dict[str, str], token: str = "") -> Any:
    """GET a JSON document through the guarded client: no redirect, at most
    `MAX_FEED_BYTES` in `FETCH_SECONDS`; any failure is a short `SourceError`. A `token`
    goes in the Authorization header (never in the URL)."""
    return _get_json_page(url, params, token)[0]


def _get_json_page(url: str, params: dict[str, str], token: str = "") -> tuple[Any, dict[str, str]]:
    """`_get_json`, with the Link header's relations (rel -> URL) of the answer."""
    try:
        base.guard_url(url)
    except base.UnsafeAddress as exc:
        raise SourceError(exc.user_message) from exc
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    deadline = time.monotonic() + FETCH_SECONDS
    try:
        with (
            base.http_client(timeout=httpx.Timeout(FETCH_SECONDS)) as client,
            client.stream("GET", url, params=params, headers=headers) as response,
        ):
            if token and response.status_code in (401, 403):
                raise SourceError(_("The instance refused the access token."))
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
            links = {
                str(rel): str(link.get("url", ""))
                for rel, link in response.links.items()
                if isinstance(link, dict)
            }
    except base.UnsafeAddress as exc:
        raise SourceError(exc.user_message) from exc
    except httpx.HTTPError as exc:
        raise SourceError(_("The feed could not be reached.")) from exc
    try:
        return json.loads(bytes(body)), links
    except ValueError as exc:
        raise SourceError(_("The answer could not be read.")) from exc


def _text(*parts: Any) -> str:
    return "\n".join(p for p in (_plain(x) if isinstance(x, str) else "" for x in parts) if p)


def _iso(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _number(value: Any) -> int:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else 0


def parse_hn(document: Any) -> list[Entry]:
    """The stories and comments of an Algolia search answer."""
    hits = document.get("hits") if isinstance(document, dict) else None
    entries = []
    for hit in hits if isinstance(hits, list) else []:
        if not isinstance(hit, dict):
            continue
        object_id = str(hit.get("objectID") or "")
        if not object_id.isdigit():
            continue
        text = _text(hit.get("title"), hit.get("story_text"), hit.get("comment_text"))
        if not text:
            continue
        created = _number(hit.get("created_at_i"))
        entries.append(
            Entry(
                key=entry_key(HACKERNEWS, f"hn:{object_id}"),
                url=f"https://news.ycombinator.com/item?id={object_id}",
                text=text[:MAX_TEXT],
                author=_plain(str(hit.get("author") or ""))[:MAX_AUTHOR],
                published_at=dt.datetime.fromtimestamp(created, tz=dt.UTC) if created else None,
                language="",  # the API does not say
            )
        )
    return entries


class HackerNewsSource:
    """The Hacker News search by date (Algolia), stories and comments newer than the cursor
    (the newest `created_at_i` seen). One search for the source's query, or one per term of
    the active monitors (at most `MAX_SEARCHES`); the newest `HN_PAGE` hits of each and,
    after the first poll, the following pages (`page`, at most `HN_PAGES`) while they are
    full, so that a burst between two polls is read whole."""

    network = HACKERNEWS

    def fetch(self, state: FetchState) -> FetchResult:
        queries = [state.query] if state.query else list(dict.fromkeys(state.terms))
        newest = _number(state.cursor)
        entries: dict[str, Entry] = {}
        url = settings.LISTENING_HN_API.rstrip("/") + "/search_by_date"
        for query in queries[:MAX_SEARCHES]:
            params = {"query": query, "tags": "(story,comment)", "hitsPerPage": str(HN_PAGE)}
            if state.cursor:
                params["numericFilters"] = f"created_at_i>{_number(state.cursor)}"
            for page in range(HN_PAGES if state.cursor else 1):
                document = _get_json(url, {**params, "page": str(page)} if page else params)
                for entry in parse_hn(document):
                    entries.setdefault(entry.key, entry)
                hits = document.get("hits") if isinstance(document, dict) else None
                hits = hits if isinstance(hits, list) else []
                for hit in hits:
                    if isinstance(hit, dict):
                        newest = max(newest, _number(hit.get("created_at_i")))
                pages = _number(document.get("nbPages")) if isinstance(document, dict) else 0
                if len(hits) < HN_PAGE or page + 1 >= pages:
                    break
        return FetchResult(entries=list(entries.values()), cursor=str(newest) if newest else "")


def parse_mastodon(document: Any, host: str) -> list[Entry]:
    """The statuses of a Mastodon timeline (boosts left out: their original is the post)."""
    entries = []
    for status in document if isinstance(document, list) else []:
        if not isinstance(status, dict) or status.get("reblog"):
            continue
        status_id = str(status.get("id") or "")
        if not status_id.isdigit():
            continue
        text = _text(status.get("spoiler_text"), status.get("content"))
        if not text:
            continue
        account = status.get("account")
        if not isinstance(account, dict):
            account = {}
        entries.append(
            Entry(
                key=entry_key(MASTODON, f"mastodon:{host}:{status_id}"),
                url=_web_url(str(status.get("url") or status.get("uri") or "")),
                text=text[:MAX_TEXT],
                author=str(account.get("acct") or "")[:MAX_AUTHOR],
                published_at=_iso(status.get("created_at")),
                language=language_code(status.get("language")),
            )
        )
    return entries


class MastodonTagSource:
    """A public hashtag timeline of one instance (no token), the statuses newer than the
    cursor (the newest status id seen), read oldest page first with `min_id` (up to
    `MASTODON_PAGES` pages of `MASTODON_PAGE` per poll; the rest at the next poll), so that a
    burst between two polls loses nothing (`read_timeline`)."""

    network = MASTODON

    def fetch(self, state: FetchState) -> FetchResult:
        path = f"/api/v1/timelines/tag/{quote(state.query, safe='')}"
        entries, cursor = read_timeline(
            state.url, path, token="", cursor=state.cursor, parse=parse_mastodon
        )
        return FetchResult(entries=entries, cursor=cursor)


MASTODON_PAGES = 10  # pages of a timeline read per poll (the rest: next poll)
PUBLIC = "public"


def status_key(host: str, status_id: str) -> str:
    """A Mastodon status's key: the same for the hashtag poll, the stream and the home
    timeline of one instance, so that one status is one mention."""
    return entry_key(MASTODON, f"mastodon:{host}:{status_id}")


def public_entries(document: Any, host: str) -> list[Entry]:
    """The public statuses of a timeline read with an account's token (decision 0031): a
    status whose visibility is not "public" (unlisted, followers only, direct) is left
    out; a boost gives its original, when both are public."""
    originals = []
    for status in document if isinstance(document, list) else []:
        if not isinstance(status, dict) or status.get("visibility") != PUBLIC:
            continue
        original = status.get("reblog") or status
        if isinstance(original, dict) and original.get("visibility") == PUBLIC:
            originals.append({**original, "reblog": None})
    return parse_mastodon(originals, host)


def newest_id(document: Any, cursor: str = "") -> str:
    """The newest status id of a timeline page, or the cursor."""
    newest = _number(cursor)
    for status in document if isinstance(document, list) else []:
        if isinstance(status, dict):
            newest = max(newest, _number(status.get("id")))
    return str(newest) if newest else ""


def _min_id_of(link: str) -> str:
    values = parse_qs(urlsplit(link).query).get("min_id") or [""]
    return values[-1] if values[-1].isdigit() else ""


def read_timeline(
    instance: str,
    path: str,
    *,
    token: str,
    cursor: str,
    params: dict[str, str] | None = None,
    max_pages: int = MASTODON_PAGES,
    parse: Callable[[Any, str], list[Entry]] | None = None,
) -> tuple[list[Entry], str]:
    """The public statuses of a timeline newer than `cursor`, oldest pages first: `min_id`
    paging (each page the statuses just after the last one read, following the Link
    header's `prev`), until a short page or `max_pages`; the newest id read is the new
    cursor, so what is left is read next time. Without a cursor, the newest page only (no
    backfill). `parse` reads a page (default: its public statuses, `public_entries`).
    Returns (entries, cursor)."""
    parse = parse or public_entries
    instance = instance.rstrip("/")
    host = urlsplit(instance).netloc.lower()
    entries: dict[str, Entry] = {}
    extra = dict(params or {})
    if not cursor:
        document = _get_json(f"{instance}{path}", {**extra, "limit": str(MASTODON_PAGE)}, token)
        return parse(document, host), newest_id(document)
    for _page in range(max_pages):
        query = {**extra, "limit": str(MASTODON_PAGE), "min_id": cursor}
        document, links = _get_json_page(f"{instance}{path}", query, token)
        for entry in parse(document, host):
            entries.setdefault(entry.key, entry)
        newest = newest_id(document, cursor)
        following = _min_id_of(links.get("prev", ""))
        if _number(following) > _number(newest):
            newest = following
        page = len(document) if isinstance(document, list) else 0
        if newest == cursor or page < MASTODON_PAGE:
            return list(entries.values()), newest
        cursor = newest
    return list(entries.values()), cursor


class MastodonHomeSource:
    """Followed accounts' public posts (decision 0031): the home timeline of the account
    whose access token the feed keeps (`GET /api/v1/timelines/home`, the token in the
    Authorization header), newer than the cursor, public statuses only."""

    network = MASTODON

    def fetch(self, state: FetchState) -> FetchResult:
        if not state.token:
            raise SourceError(_("Save the account's access token again."))
        entries, cursor = read_timeline(
            state.url, "/api/v1/timelines/home", token=state.token, cursor=state.cursor
        )
        return FetchResult(entries=entries, cursor=cursor)


# --------------------------------------------------------------------------- Bluesky


def normalize_host(url: str) -> str:
    """The host's base URL as kept on the feed: `wss://h` and `https://h` give `https://h`,
    `ws://h` and `http://h` give `http://h` (only for a host SOCIAL_ALLOWED_PRIVATE_HOSTS
    allows); a path, such as `/xrpc/com.atproto.sync.subscribeRepos`, is dropped. Raises
    `base.UnsafeAddress` for an address that is not public."""
    value = url.strip()
    lowered = value.lower()
    if lowered.startswith("wss://"):
        value = "https://" + value[6:]
    elif lowered.startswith("ws://"):
        value = "http://" + value[5:]
    elif "://" not in value and value:
        value = "https://" + value
    return base.guard_url(value)


SOURCES: dict[str, Source] = {
    "rss": RssSource(),
    "hackernews": HackerNewsSource(),
    "mastodon_tag": MastodonTagSource(),
    "mastodon_home": MastodonHomeSource(),
}
