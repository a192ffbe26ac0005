"""What a benchmarked public account shows today (decision 0028), read from public APIs
without any token, through the SSRF-guarded client (`sources._get_json` and the RSS source:
public addresses only, no redirect, 2 MB and 15 s at most per answer):

- Bluesky: the AppView (`settings.LISTENING_BSKY_APPVIEW`) `app.bsky.actor.getProfile`
  (followers, posts) and `app.bsky.feed.getAuthorFeed` (`posts_no_replies`, the account's
  own posts: reposts of others left out) until a post older than 7 days, 3 pages at most;
- Mastodon: `/api/v1/accounts/lookup?acct=` then `/api/v1/accounts/:id/statuses`
  (`exclude_reblogs`, `exclude_replies`), 40 a page, 3 pages at most;
- a blog: its RSS or Atom feed (`sources.RssSource`), the entries of the last 7 days.

Engagement of a post: likes + reposts + replies (Bluesky; quotes are not in every AppView's
answer), favourites + boosts + replies (Mastodon). Per post: the total over the posts of the
last 7 days divided by their number. The best posts: the 3 with the most engagement (the
newest first when equal), text truncated to 200 characters.

Topics, without any model: a topic is a hashtag, or a word of 4 letters or more (links,
@mentions and the common French and English words left out) that comes back in at least 2
of the week's posts. Each is scored by the engagement of the posts that carry it (by their
number when the source gives no engagement, a blog); the 5 best are the account's topics of
the week, and each best post names the topics it carries.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from . import sentiment, sources
from .sources import SourceError, _get_json, _iso, _number, _plain, _web_url

WINDOW = dt.timedelta(days=7)
MAX_PAGES = 3
BEST = 3
BEST_TEXT = 200
HANDLE = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*$")
DID = re.compile(r"^did:(plc|web):[a-zA-Z0-9._:%-]{1,200}$")
MASTODON_USER = re.compile(r"^[A-Za-z0-9_]{1,64}$")
TOPICS = 5
TOPIC_MIN_POSTS = 2
TOPIC_MIN_LETTERS = 4
LINK = re.compile(r"(?:https?://|www\.)\S+|@[\w.-]+", re.IGNORECASE | re.UNICODE)
HASHTAG = re.compile(r"#([^\W_][\w]{1,49})", re.UNICODE)
# Words too common to name a topic, beyond the function words of the language guess.
COMMON = frozenset(
    re.findall(
        r"\S+",
        "avec cette sont nous vous leur leurs dans pour plus tout tous toute toutes faire fait "
        "comme mais aussi bien très encore être avoir était sera peut doit entre depuis "
        "notre votre nos vos chez sans sous vers quand alors donc ainsi après avant jour "
        "about after again also been before being from have here into just like more most "
        "only other over some such than that them then there these they this those very "
        "what when where which while will with would your today week year new read",
    )
)


@dataclass(frozen=True)
class Post:
    url: str
    text: str
    engagement: int | None
    published_at: dt.datetime


@dataclass
class Figures:
    followers: int | None = None
    posts_total: int | None = None
    posts: list[Post] = field(default_factory=list)  # those of the last 7 days

    @property
    def posts_7d(self) -> int:
        return len(self.posts)

    @property
    def engagement_per_post(self) -> float | None:
        measured = [p.engagement for p in self.posts if p.engagement is not None]
        if not measured:
            return None
        return round(sum(measured) / len(measured), 2)

    @property
    def best_posts(self) -> list[dict[str, Any]]:
        ranked = sorted(self.posts, key=lambda p: (p.engagement or 0, p.published_at), reverse=True)
        scores = _topic_scores(self.posts)
        return [
            {
                "url": p.url,
                "text": p.text[:BEST_TEXT],
                "engagement": p.engagement,
                "topics": sorted(
                    (term for term in terms_of(p.text) if term in scores),
                    key=lambda term: (-scores[term][0], -scores[term][1], term),
                )[:TOPICS],
            }
            for p in ranked[:BEST]
        ]

    @property
    def topics(self) -> list[dict[str, Any]]:
        """The week's topics, best first: {"term", "posts", "engagement"} (engagement None
        when the source gives none)."""
        measured = any(p.engagement is not None for p in self.posts)
        scores = _topic_scores(self.posts)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        return [
            {"term": term, "posts": posts, "engagement": engagement if measured else None}
            for term, (engagement, posts) in ranked[:TOPICS]
        ]


def terms_of(text: str) -> set[str]:
    """The candidate topics of a post: its hashtags ("#term") and its words of 4 letters or
    more that are not common words, casefolded; links and @mentions left out."""
    text = LINK.sub(" ", text)
    tags = {"#" + tag.casefold() for tag in HASHTAG.findall(text)}
    text = HASHTAG.sub(" ", text)
    words = {
        word
        for word in (w.casefold() for w in sentiment.WORD.findall(text))
        if len(word) >= TOPIC_MIN_LETTERS
        and word not in COMMON
        and word not in sentiment.FRENCH_WORDS
        and word not in sentiment.ENGLISH_WORDS
    }
    return tags | words


def _topic_scores(posts: list[Post]) -> dict[str, tuple[int, int]]:
    """{term: (engagement of the posts carrying it, or their number without engagement;
    posts)} for the hashtags and the words found in at least `TOPIC_MIN_POSTS` posts."""
    measured = any(p.engagement is not None for p in posts)
    engagement: dict[str, int] = {}
    count: dict[str, int] = {}
    for post in posts:
        for term in terms_of(post.text):
            count[term] = count.get(term, 0) + 1
            engagement[term] = engagement.get(term, 0) + ((post.engagement or 0) if measured else 1)
    return {
        term: (engagement[term], posts)
        for term, posts in count.items()
        if term.startswith("#") or posts >= TOPIC_MIN_POSTS
    }


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


# --------------------------------------------------------------------------- Bluesky


def bluesky_handle(value: str) -> str:
    """A Bluesky handle ("acme.bsky.social", "@acme.com") or DID, checked; else ValueError."""
    value = value.strip().removeprefix("@")
    if DID.match(value):
        return value
    value = value.lower()
    if not HANDLE.match(value):
        raise ValueError(value)
    return value


def _bluesky_url(handle: str, uri: str) -> str:
    rkey = uri.rsplit("/", 1)[-1]
    return f"https://bsky.app/profile/{quote(handle, safe=':.')}/post/{quote(rkey, safe='')}"


def bluesky(handle: str, now: dt.datetime) -> Figures:
    appview = settings.LISTENING_BSKY_APPVIEW.rstrip("/")
    profile = _get_json(f"{appview}/xrpc/app.bsky.actor.getProfile", {"actor": handle})
    if not isinstance(profile, dict):
        raise SourceError(_("The answer could not be read."))
    figures = Figures(_count(profile.get("followersCount")), _count(profile.get("postsCount")))
    did = str(profile.get("did") or "")
    cursor = ""
    for _page in range(MAX_PAGES):
        params = {"actor": handle, "limit": "100", "filter": "posts_no_replies"}
        if cursor:
            params["cursor"] = cursor
        answer = _get_json(f"{appview}/xrpc/app.bsky.feed.getAuthorFeed", params)
        feed = answer.get("feed") if isinstance(answer, dict) else None
        older = False
        for item in feed if isinstance(feed, list) else []:
            post = _dict(_dict(item).get("post"))
            if not post or _dict(item).get("reason"):
                continue  # a repost of someone's post
            if did and _dict(post.get("author")).get("did") not in (None, did):
                continue
            record = _dict(post.get("record"))
            when = _iso(record.get("createdAt")) or _iso(post.get("indexedAt"))
            if when is None:
                continue
            if when < now - WINDOW:
                older = True
                continue
            engagement = sum(
                _count(post.get(k)) for k in ("likeCount", "repostCount", "replyCount")
            )
            figures.posts.append(
                Post(
                    _bluesky_url(handle, str(post.get("uri") or "")),
                    " ".join(str(record.get("text") or "").split()),
                    engagement,
                    when,
                )
            )
        cursor = str(answer.get("cursor") or "") if isinstance(answer, dict) else ""
        if older or not cursor or not feed:
            break
    return figures


# --------------------------------------------------------------------------- Mastodon


def mastodon_account(value: str) -> tuple[str, str]:
    """("https://instance", "user") from "user@instance", "@user@instance" or
    "https://instance/@user"; ValueError when it is none of these."""
    value = value.strip()
    if value.startswith(("https://", "http://")):
        parts = urlsplit(value)
        user = parts.path.strip("/").removeprefix("@")
        instance = f"{parts.scheme}://{parts.netloc}"
    else:
        user, _sep, host = value.removeprefix("@").partition("@")
        instance = f"https://{host}" if host else ""
    if not instance or not MASTODON_USER.match(user) or not urlsplit(instance).hostname:
        raise ValueError(value)
    return instance.lower(), user


def mastodon(instance: str, user: str, now: dt.datetime) -> Figures:
    account = _get_json(f"{instance}/api/v1/accounts/lookup", {"acct": user})
    if not isinstance(account, dict) or not str(account.get("id") or "").isdigit():
        raise SourceError(_("The answer could not be read."))
    figures = Figures(_count(account.get("followers_count")), _count(account.get("statuses_count")))
    params = {"limit": "40", "exclude_reblogs": "true", "exclude_replies": "true"}
    for _page in range(MAX_PAGES):
        statuses = _get_json(f"{instance}/api/v1/accounts/{account['id']}/statuses", params)
        statuses = statuses if isinstance(statuses, list) else []
        older = False
        for status in statuses:
            if not isinstance(status, dict) or status.get("reblog"):
                continue
            when = _iso(status.get("created_at"))
            if when is None:
                continue
            if when < now - WINDOW:
                older = True
                continue
            keys = ("favourites_count", "reblogs_count", "replies_count")
            figures.posts.append(
                Post(
                    _web_url(str(status.get("url") or status.get("uri") or "")),
                    _plain(str(status.get("content") or "")),
                    sum(_count(status.get(k)) for k in keys),
                    when,
                )
            )
        ids = [_number(s.get("id")) for s in statuses if isinstance(s, dict)]
        if older or not ids or len(statuses) < 40:
            break
        params = {**params, "max_id": str(min(ids))}
    return figures


# --------------------------------------------------------------------------- blog


def blog(url: str, now: dt.datetime) -> Figures:
    result = sources.RssSource().fetch(sources.FetchState(url=url))
    figures = Figures()
    for entry in result.entries:
        if entry.published_at and now - WINDOW <= entry.published_at <= now:
            title = entry.text.split("\n", 1)[0]
            figures.posts.append(Post(entry.url, title, None, entry.published_at))
    return figures


def fetch(kind: str, handle: str, now: dt.datetime) -> Figures:
    """The figures of one account today; a `SourceError` (short, safe) when they cannot be
    read."""
    if kind == "bluesky":
        return bluesky(handle, now)
    if kind == "mastodon":
        try:
            instance, user = mastodon_account(handle)
        except ValueError as exc:
            raise SourceError(_("This account is not valid.")) from exc
        return mastodon(instance, user, now)
    return blog(handle, now)
