"""A local fake of Reddit's OAuth API for the listening source's tests (decision 0032).

It follows Reddit's documentation (read through the docs search, 2026):

- Application-only OAuth (github.com/reddit-archive/reddit/wiki/OAuth2, "Application Only
  OAuth"): `POST /api/v1/access_token` with `grant_type=client_credentials` in a form body
  and HTTP Basic `client_id:client_secret`; 200 `{"access_token", "token_type": "bearer",
  "expires_in", "scope": "*"}`; wrong credentials: 401 `{"message": "Unauthorized",
  "error": 401}`.
- The API on `oauth.reddit.com` with `Authorization: bearer <token>` and a User-Agent
  naming the app; a bad token: 401.
- Listings (reddit.com/dev/api, "listings"; the r/redditdev API FAQ on paging): newest first
  with `sort=new`; `before=<fullname>` gives the `limit` posts just newer than that one,
  `after=<fullname>` those just older; `limit` at most 100; a `before`/`after` that names no
  post in the listing gives an empty listing. `{"kind": "Listing", "data": {"children":
  [{"kind": "t3", "data": {...}}], "before", "after", "dist"}}`.
- `GET /search.json?q=&sort=new&limit=` (words of `q` in the title or the text),
  `/r/<sub>/search.json?...&restrict_sr=1`, `/r/<sub>/new.json`.
- Rate limits (r/redditdev "Formal ratelimiting headers"): `X-Ratelimit-Used`,
  `X-Ratelimit-Remaining`, `X-Ratelimit-Reset` (seconds to the end of the window) on every
  API answer; 429 when none remains.

Test helpers: `post(...)` adds a post; `remaining` sets the requests left in the window;
`storm(n)` answers the next n API calls 429.
"""

from __future__ import annotations

import base64
import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any

from tests.peers.server import FakeApp, Req, Resp


@dataclass
class Post:
    id36: str
    title: str
    selftext: str
    author: str
    subreddit: str
    created_utc: float

    @property
    def name(self) -> str:
        return f"t3_{self.id36}"

    def thing(self) -> dict[str, Any]:
        return {
            "kind": "t3",
            "data": {
                "id": self.id36,
                "name": self.name,
                "title": self.title,
                "selftext": self.selftext,
                "author": self.author,
                "subreddit": self.subreddit,
                "created_utc": self.created_utc,
                "permalink": f"/r/{self.subreddit}/comments/{self.id36}/post/",
                "url": f"https://www.reddit.com/r/{self.subreddit}/comments/{self.id36}/post/",
            },
        }


@dataclass
class FakeReddit:
    client_id: str = "AbCdEfGhIjKlMn"
    client_secret: str = "s3cr3t-S3CR3T_value"
    expires_in: int = 86400
    posts: list[Post] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    grants: int = 0
    remaining: float = 600.0
    reset: int = 300
    storms: int = 0
    ids: Any = field(default_factory=lambda: itertools.count(1000))

    def __post_init__(self) -> None:
        self.auth = FakeApp("reddit-auth")
        self.api = FakeApp("reddit-api")
        self.auth.route("POST", "/api/v1/access_token")(self.access_token)
        self.api.route("GET", "/search.json")(self.search)
        self.api.route("GET", "/r/{sub}/search.json")(self.search)
        self.api.route("GET", "/r/{sub}/new.json")(self.new)

    # ------------------------------------------------------------------ helpers

    def post(
        self,
        title: str,
        created: float,
        *,
        text: str = "",
        author: str = "someone",
        sub: str = "france",
    ) -> Post:
        item = Post(f"{next(self.ids):x}", title, text, author, sub, float(created))
        self.posts.append(item)
        return item

    def storm(self, count: int) -> None:
        self.storms = count

    # ------------------------------------------------------------------ OAuth

    def access_token(self, req: Req) -> Resp:
        header = req.headers.get("authorization", "")
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if header != f"Basic {expected}":
            return Resp(401, {"message": "Unauthorized", "error": 401})
        if req.form().get("grant_type") != "client_credentials":
            return Resp(200, {"error": "unsupported_grant_type"})
        self.grants += 1
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        return Resp(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": self.expires_in,
                "scope": "*",
            },
        )

    # ------------------------------------------------------------------ API

    def _limits(self) -> dict[str, str]:
        return {
            "X-Ratelimit-Used": str(600 - int(self.remaining)),
            "X-Ratelimit-Remaining": f"{self.remaining:.1f}",
            "X-Ratelimit-Reset": str(self.reset),
        }

    def _guard(self, req: Req) -> Resp | None:
        if not req.headers.get("user-agent", "").strip():
            return Resp(429, {"message": "Too Many Requests", "error": 429})
        if self.storms > 0 or self.remaining < 1:
            self.storms = max(0, self.storms - 1)
            return Resp(429, {"message": "Too Many Requests", "error": 429}, self._limits())
        if req.bearer() not in self.tokens:
            return Resp(401, {"message": "Unauthorized", "error": 401})
        self.remaining -= 1
        return None

    def _listing(self, req: Req, posts: list[Post]) -> Resp:
        posts = sorted(posts, key=lambda p: (-p.created_utc, p.name))  # newest first
        limit = max(1, min(int(req.query.get("limit", "25")), 100))
        names = [p.name for p in posts]
        if before := req.query.get("before"):
            if before not in names:
                return self._page([])
            end = names.index(before)
            page = posts[max(0, end - limit) : end]
        elif after := req.query.get("after"):
            if after not in names:
                return self._page([])
            start = names.index(after) + 1
            page = posts[start : start + limit]
        else:
            page = posts[:limit]
        return self._page(page)

    def _page(self, page: list[Post]) -> Resp:
        return Resp(
            200,
            {
                "kind": "Listing",
                "data": {
                    "children": [p.thing() for p in page],
                    "before": page[0].name if page else None,
                    "after": page[-1].name if page else None,
                    "dist": len(page),
                },
            },
            self._limits(),
        )

    def search(self, req: Req) -> Resp:
        if refused := self._guard(req):
            return refused
        assert req.query.get("sort") == "new"
        words = req.query.get("q", "").casefold().split()
        sub = req.params.get("sub", "")
        if sub:
            assert req.query.get("restrict_sr") == "1"
        found = [
            p
            for p in self.posts
            if (not sub or p.subreddit.casefold() == sub.casefold())
            and all(w in f"{p.title} {p.selftext}".casefold() for w in words)
        ]
        return self._listing(req, found)

    def new(self, req: Req) -> Resp:
        if refused := self._guard(req):
            return refused
        sub = req.params["sub"].casefold()
        return self._listing(req, [p for p in self.posts if p.subreddit.casefold() == sub])
