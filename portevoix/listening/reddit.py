"""The Reddit source (decision 0032): a search of Reddit's posts, optionally in one subreddit,
with the organization's own Reddit app. Off until an organization enters its app's client
id, secret and User-Agent (`services_reddit`); nothing here touches the database.

Reddit's documented API, application-only OAuth:

- the token: `POST {LISTENING_REDDIT_AUTH}/api/v1/access_token` with
  `grant_type=client_credentials` and HTTP Basic `client_id:client_secret`, answering
  `{"access_token", "token_type": "bearer", "expires_in", "scope"}` (401 when the
  credentials are refused). The token is kept in the cache until shortly before it
  expires, under a key of the organization and the credentials' generation (never in a log).
- the search: `GET {LISTENING_REDDIT_API}/search.json?q=…&sort=new&limit=100` (or
  `/r/<sub>/search.json?…&restrict_sr=1`, or `/r/<sub>/new.json` without a query) with
  `Authorization: bearer <token>` and the app's own User-Agent. The answer is a Listing:
  `data.children[].data` with `name` (the fullname, `t3_<id>`), `title`, `selftext`,
  `permalink`, `author`, `created_utc`, `subreddit`; `data.before` / `data.after`.
- paging: the listing is newest first; `before=<fullname>` gives the posts just newer than
  that one. A poll asks for what is newer than the newest post seen (the feed's cursor,
  `<fullname>:<created_utc>`), a page of 100 at a time, at most `MAX_PAGES`. When that
  answers nothing, the anchor may have been removed (Reddit then answers an empty listing
  for ever): one look at the newest page (and older ones with `after`) takes the posts newer
  than the cursor's time. The first poll takes the newest page only.
- rate limits: every answer carries `X-Ratelimit-Used`, `X-Ratelimit-Remaining` and
  `X-Ratelimit-Reset` (seconds to the end of the window). On a 429, or when nothing remains,
  the organization's Reddit feeds wait until the reset (kept in the cache, since the limit
  is the app's): the poll keeps what it read and says until when it waits.

Every request goes through the project's SSRF-guarded HTTP client (`networks.base`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from portevoix.core import clock
from portevoix.networks import base

from .sources import (
    FETCH_SECONDS,
    MAX_AUTHOR,
    MAX_FEED_BYTES,
    MAX_TEXT,
    MAX_TITLE,
    Entry,
    FetchResult,
    FetchState,
    SourceError,
    _plain,
    _text,
    _web_url,
    entry_key,
)

log = logging.getLogger(__name__)

REDDIT = "reddit"
WEB = "https://www.reddit.com"
PAGE = 100
MAX_PAGES = 5  # pages of 100 per poll: a feed polled every 5 minutes keeps up with 100/min
TOKEN_MARGIN = 60  # seconds: a cached token is dropped this long before it expires
DEFAULT_WAIT = 60  # seconds to wait on a 429 that does not say until when
MAX_WAIT = 3600
FULLNAME = re.compile(r"^t3_[0-9a-z]{1,13}$")
SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")


@dataclass(frozen=True)
class Credentials:
    """An organization's Reddit app, the secret read from its seal for one poll."""

    organization_id: int
    generation: str  # changes whenever the credentials change (the token's cache key)
    client_id: str
    user_agent: str
    client_secret: str = field(repr=False)


class CredentialsRefused(SourceError):
    """Reddit refused the organization's client id and secret."""


class RateLimited(SourceError):
    """Reddit's rate limit is reached: no request before `retry_at`."""


def token_key(credentials: Credentials) -> str:
    return f"listening:reddit:token:{credentials.organization_id}:{credentials.generation}"


def wait_key(organization_id: int) -> str:
    return f"listening:reddit:wait:{organization_id}"


def waiting_until(organization_id: int) -> dt.datetime | None:
    """When the organization's Reddit feeds may ask again, if they are waiting."""
    until = cache.get(wait_key(organization_id))
    if not isinstance(until, int | float):
        return None
    when = dt.datetime.fromtimestamp(until, tz=dt.UTC)
    return when if when > clock.now() else None


def _rate_limited(when: dt.datetime) -> RateLimited:
    return RateLimited(
        _("Reddit's rate limit is reached: next try after %(time)s UTC.")
        % {"time": when.astimezone(dt.UTC).strftime("%H:%M")},
        retry_at=when,
    )


def _seconds(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and number >= 0 else None


def parse_cursor(value: str) -> tuple[str, float]:
    """The feed's cursor, "<fullname>:<created_utc>", read back; ("", 0) when empty."""
    name, _sep, created = (value or "").partition(":")
    if not FULLNAME.match(name):
        return "", 0.0
    return name, _seconds(created) or 0.0


def parse_listing(document: Any) -> list[dict[str, Any]]:
    """The posts (`t3`) of a Listing, newest first as Reddit gives them, each with a valid
    fullname and creation time."""
    data = document.get("data") if isinstance(document, dict) else None
    children = data.get("children") if isinstance(data, dict) else None
    posts = []
    for child in children if isinstance(children, list) else []:
        if not isinstance(child, dict) or child.get("kind") != "t3":
            continue
        post = child.get("data")
        if not isinstance(post, dict) or not FULLNAME.match(str(post.get("name") or "")):
            continue
        created = post.get("created_utc")
        if not isinstance(created, int | float) or isinstance(created, bool) or created <= 0:
            continue
        posts.append(post)
    return posts


def entry_of(post: dict[str, Any]) -> Entry | None:
    """A post as a mention keeps it: title and text, the link to it on reddit.com, the
    author as u/<name>, the time; the language is guessed when it is stored."""
    title = _plain(str(post.get("title") or ""))
    text = _text(post.get("title"), post.get("selftext"))
    if not text:
        return None
    permalink = str(post.get("permalink") or "")
    url = _web_url(WEB + permalink) if permalink.startswith("/r/") else ""
    author = str(post.get("author") or "")
    handle = f"u/{author}" if re.match(r"^[A-Za-z0-9_-]{1,40}$", author) else ""
    return Entry(
        key=entry_key(REDDIT, f"reddit:{post['name']}"),
        url=url,
        text=text[:MAX_TEXT],
        author=handle[:MAX_AUTHOR],
        published_at=dt.datetime.fromtimestamp(float(post["created_utc"]), tz=dt.UTC),
        language="",  # the API does not say: guessed when stored
        title=title[:MAX_TITLE],
    )


@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    document: Any


def _exchange(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    params: dict[str, str] | None = None,
    data: dict[str, str] | None = None,
    auth: tuple[str, str] | None = None,
) -> Answer:
    """One request through the guarded client: no redirect, at most `MAX_FEED_BYTES` in
    `FETCH_SECONDS`; a failure is a short `SourceError` (no body, no address)."""
    try:
        base.guard_url(url)
    except base.UnsafeAddress as exc:
        raise SourceError(exc.user_message) from exc
    deadline = time.monotonic() + FETCH_SECONDS
    try:
        with (
            base.http_client(timeout=httpx.Timeout(FETCH_SECONDS)) as client,
            client.stream(
                method, url, params=params, data=data, auth=auth, headers=headers
            ) as response,
        ):
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_FEED_BYTES:
                    raise SourceError(_("The feed is too large."))
                if time.monotonic() > deadline:
                    raise SourceError(_("The feed took too long."))
    except base.UnsafeAddress as exc:
        raise SourceError(exc.user_message) from exc
    except httpx.HTTPError as exc:
        raise SourceError(_("Reddit could not be reached.")) from exc
    try:
        document = json.loads(bytes(body)) if body else None
    except ValueError:
        document = None
    return Answer(response.status_code, response.headers, document)


class Session:
    """The requests of one poll for one organization: the token (from the cache, or asked
    for), and the rate limit's bookkeeping."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self.token = ""
        self.stop_at: dt.datetime | None = None  # nothing remains until then

    def _wait(self, seconds: float | None) -> dt.datetime:
        wait = min(max(seconds if seconds is not None else DEFAULT_WAIT, 1.0), MAX_WAIT)
        until = clock.now() + dt.timedelta(seconds=wait)
        cache.set(wait_key(self.credentials.organization_id), until.timestamp(), int(wait) + 1)
        return until

    def _watch(self, answer: Answer) -> None:
        """Read the rate limit headers: on a 429, or none remaining, wait until the reset."""
        reset = _seconds(answer.headers.get("x-ratelimit-reset"))
        if answer.status == 429:
            raise _rate_limited(self._wait(reset))
        remaining = _seconds(answer.headers.get("x-ratelimit-remaining"))
        if remaining is not None and remaining < 1:
            self.stop_at = self._wait(reset)

    def _user_agent(self) -> dict[str, str]:
        return {"User-Agent": self.credentials.user_agent}

    def _grant(self) -> str:
        """Ask Reddit for an application-only token (client_credentials, HTTP Basic)."""
        url = settings.LISTENING_REDDIT_AUTH.rstrip("/") + "/api/v1/access_token"
        answer = _exchange(
            "POST",
            url,
            headers={**self._user_agent(), "Accept": "application/json"},
            data={"grant_type": "client_credentials"},
            auth=(self.credentials.client_id, self.credentials.client_secret),
        )
        self._watch(answer)
        document = answer.document if isinstance(answer.document, dict) else {}
        token = document.get("access_token")
        if answer.status in (400, 401, 403) or (answer.status == 200 and "error" in document):
            log.info(
                "listening reddit org=%s: credentials refused (%s)",
                self.credentials.organization_id,
                answer.status,
            )
            raise CredentialsRefused(
                _(
                    "Reddit refused the organization's credentials: check the client id "
                    "and secret on the Reddit settings page."
                )
            )
        if answer.status != 200 or not isinstance(token, str) or not token:
            raise SourceError(_("Reddit answered %(status)d.") % {"status": answer.status})
        expires = document.get("expires_in")
        lifetime = int(expires) if isinstance(expires, int | float) else 3600
        if lifetime > TOKEN_MARGIN:
            cache.set(token_key(self.credentials), token, lifetime - TOKEN_MARGIN)
        return token

    def _bearer(self) -> str:
        if not self.token:
            cached = cache.get(token_key(self.credentials))
            self.token = cached if isinstance(cached, str) and cached else self._grant()
        return self.token

    def listing(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """One page of a listing. A token refused (expired early, revoked) is asked for again
        once."""
        if self.stop_at is not None:
            raise _rate_limited(self.stop_at)
        url = settings.LISTENING_REDDIT_API.rstrip("/") + path
        for attempt in (1, 2):
            answer = _exchange(
                "GET",
                url,
                params=params,
                headers={
                    **self._user_agent(),
                    "Accept": "application/json",
                    "Authorization": f"bearer {self._bearer()}",
                },
            )
            self._watch(answer)
            if answer.status == 401 and attempt == 1:
                cache.delete(token_key(self.credentials))
                self.token = ""
                continue
            break
        if answer.status == 401:
            raise CredentialsRefused(
                _(
                    "Reddit refused the organization's credentials: check the client id "
                    "and secret on the Reddit settings page."
                )
            )
        if answer.status in (403, 404):
            raise SourceError(
                _("Reddit refused this search (%(status)d): is the subreddit private or gone?")
                % {"status": answer.status}
            )
        if answer.status != 200:
            raise SourceError(_("Reddit answered %(status)d.") % {"status": answer.status})
        if not isinstance(answer.document, dict) or answer.document.get("kind") != "Listing":
            raise SourceError(_("The answer could not be read."))
        return parse_listing(answer.document)


def _where(state: FetchState) -> tuple[str, dict[str, str]]:
    """The listing's path and parameters: a search (everywhere, or in the subreddit), or
    the subreddit's new posts when there is no query."""
    params = {"limit": str(PAGE), "raw_json": "1"}
    subreddit = state.subreddit if SUBREDDIT.match(state.subreddit or "") else ""
    if not state.query:
        if not subreddit:
            raise SourceError(_("Give a search or a subreddit."))
        return f"/r/{quote(subreddit, safe='')}/new.json", params
    params.update({"q": state.query, "sort": "new", "type": "link"})
    if subreddit:
        params["restrict_sr"] = "1"
        return f"/r/{quote(subreddit, safe='')}/search.json", params
    return "/search.json", params


class RedditSource:
    """A Reddit search with one organization's credentials, newer than the cursor."""

    network = REDDIT

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials

    def fetch(self, state: FetchState) -> FetchResult:
        path, params = _where(state)
        if until := waiting_until(self.credentials.organization_id):
            raise _rate_limited(until)
        session = Session(self.credentials)
        anchor, since = parse_cursor(state.cursor)
        posts: dict[str, dict[str, Any]] = {}
        note, retry_at = "", None
        try:
            if anchor:
                self._newer(session, path, params, anchor, posts)
                if not posts:  # nothing new, or the anchor was removed: look from the top
                    self._since(session, path, params, anchor, since, posts)
            else:
                for post in session.listing(path, params):
                    posts.setdefault(post["name"], post)
        except RateLimited as exc:
            if not posts:
                raise
            note, retry_at = exc.message, exc.retry_at
        if session.stop_at is not None and not note:
            limited = _rate_limited(session.stop_at)
            note, retry_at = limited.message, limited.retry_at
        cursor = state.cursor if anchor else ""
        newest = max(posts.values(), key=lambda p: float(p["created_utc"]), default=None)
        if newest is not None and float(newest["created_utc"]) >= since:
            cursor = f"{newest['name']}:{int(float(newest['created_utc']))}"
        entries = [entry for post in posts.values() if (entry := entry_of(post)) is not None]
        return FetchResult(entries=entries, cursor=cursor, note=note, retry_at=retry_at)

    @staticmethod
    def _newer(
        session: Session,
        path: str,
        params: dict[str, str],
        anchor: str,
        posts: dict[str, dict[str, Any]],
    ) -> None:
        """The posts newer than `anchor`, oldest page first (`before`), a page at a time."""
        before = anchor
        for _page in range(MAX_PAGES):
            page = session.listing(path, {**params, "before": before})
            for post in page:
                posts.setdefault(post["name"], post)
            if len(page) < PAGE:
                return
            before = page[0]["name"]  # the newest of this page

    @staticmethod
    def _since(
        session: Session,
        path: str,
        params: dict[str, str],
        anchor: str,
        since: float,
        posts: dict[str, dict[str, Any]],
    ) -> None:
        """The posts created after `since`, from the newest down (`after`), a page at a time,
        until one as old as the cursor, or the anchor itself, is met."""
        after = ""
        for _page in range(MAX_PAGES):
            page = session.listing(path, {**params, "after": after} if after else params)
            for post in page:
                if post["name"] == anchor or float(post["created_utc"]) <= since:
                    return
                posts.setdefault(post["name"], post)
            if len(page) < PAGE:
                return
            after = page[-1]["name"]  # the oldest of this page
