"""The rules of a listening source, by its kind (decision 0025, 0026, 0031): what a feed's
data must hold, how it is kept (an instance as scheme and host, a hashtag without #), and
an account's access token, sealed at rest with `core.crypto` and read back only for a
request or a stream. Used by `services` (the writes) and `stream` (the token)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from portevoix.core import crypto
from portevoix.core.errors import DomainError
from portevoix.networks import base

from . import services_reddit
from .models import Feed, FeedKind, MastodonStream
from .sources import SourceError, normalize_host

MIN_INTERVAL_MINUTES = 5
WITH_TOKEN = (FeedKind.MASTODON_STREAM, FeedKind.MASTODON_HOME)  # an account's token
MAX_TOKEN_LENGTH = 500


@dataclass
class FeedData:
    url: str = ""  # the feed (RSS), the instance (Mastodon); unused for Hacker News
    title: str = ""
    interval_minutes: int = 30
    active: bool = True
    kind: str = FeedKind.RSS
    query: str = ""  # the search (Hacker News, Reddit) or the hashtag (Mastodon)
    curate: bool = False  # propose its entries for the library (decision 0029)
    token: str = ""  # an account's access token (Mastodon stream or home); empty: keep
    stream: str = ""  # which Mastodon stream: hashtag (the query), public or user
    subreddit: str = ""  # Reddit: the search only in this subreddit (optional)

    def __repr__(self) -> str:  # never the token
        return f"FeedData(kind={self.kind!r}, url={self.url!r}, query={self.query!r})"


HASHTAG = re.compile(r"^\w{1,100}$")


def clean_feed(data: FeedData, organization_id: int, *, token_saved: bool = False) -> FeedData:
    """Check a source by its kind: an RSS feed needs a public address; a Mastodon hashtag an
    instance (kept as scheme and host) and a hashtag; a Hacker News search an optional query
    (empty: the active monitors' terms); a Mastodon stream or home timeline an instance and
    an account's access token (required unless one is saved), a stream a kind of stream (a
    hashtag for the hashtag stream); a Reddit search a query, a subreddit or both, only with
    the organization's own Reddit app (decision 0032)."""
    kind = data.kind if data.kind in FeedKind.values else FeedKind.RSS
    url, query = data.url.strip(), " ".join(data.query.split())[:200]
    token, stream, subreddit = data.token.strip(), "", ""
    errors: dict[str, list[str]] = {}
    if kind == FeedKind.REDDIT:
        url, subreddit = "", services_reddit.where(organization_id, query, data.subreddit, errors)
    elif kind == FeedKind.HACKERNEWS:
        url = ""
    elif kind == FeedKind.BLUESKY:  # a relay or a PDS: kept as https://host (wss:// read)
        query = ""
        try:
            url = normalize_host(url)
        except base.UnsafeAddress as exc:
            errors["url"] = [exc.user_message]
    else:
        try:
            normalized = base.guard_url(url)
        except base.UnsafeAddress as exc:
            errors["url"] = [exc.user_message]
        else:
            if kind != FeedKind.RSS:  # a Mastodon instance: its scheme and host
                url = normalized
    if kind == FeedKind.MASTODON_STREAM:
        stream = data.stream if data.stream in MastodonStream.values else ""
        if not stream:
            errors["stream"] = [_("Choose which stream to follow.")]
        elif stream != MastodonStream.HASHTAG:
            query = ""
    if kind == FeedKind.MASTODON_TAG or stream == MastodonStream.HASHTAG:
        query = query.lstrip("#")
        if not HASHTAG.match(query):
            errors["query"] = [_("Give a hashtag: letters, digits or _, without spaces.")]
    elif kind in (FeedKind.RSS, FeedKind.MASTODON_HOME):
        query = ""
    if kind in WITH_TOKEN:
        if not token and not token_saved:
            errors["token"] = [_("Give the account's access token.")]
        elif len(token) > MAX_TOKEN_LENGTH or not all(
            c.isprintable() and not c.isspace() for c in token
        ):
            errors["token"] = [_("This access token is not valid.")]
    else:
        token = ""
    if errors:
        raise DomainError(_("The feed has errors."), field_errors=errors)
    interval = max(MIN_INTERVAL_MINUTES, min(int(data.interval_minutes), 24 * 60))
    title = data.title.strip()[:200]
    return FeedData(
        url, title, interval, data.active, kind, query, data.curate, token, stream, subreddit
    )


def feed_token(feed: Feed) -> str:
    """The feed's access token, decrypted for one request or one stream ("" when none).
    Raises `SourceError` when it cannot be read (the encryption key changed)."""
    if not feed.token_sealed:
        return ""
    try:
        return crypto.decrypt(feed.token_sealed)
    except crypto.DecryptionError as exc:
        raise SourceError(_("The saved access token cannot be read: save it again.")) from exc
