"""A local fake of Facebook's Graph API for Pages, on 127.0.0.1 (see tests/peers/server.py).

It follows:
- Manual login flow: https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
  (`GET /{version}/oauth/access_token` with client_id, redirect_uri, client_secret, code; a code
  is single use and bound to its redirect_uri: error 100 with subcode 36008 / 36009 otherwise);
- long-lived tokens: https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
  (`grant_type=fb_exchange_token`, about 60 days; Page tokens obtained with a long-lived user
  token have no expiry);
- Pages API: https://developers.facebook.com/docs/pages-api/getting-started and
  https://developers.facebook.com/docs/graph-api/reference/page/feed (`GET /me/accounts` with a
  Page token per Page, `POST /{page-id}/feed` with a Page token answering `{"id":
  "<page-id>_<post-id>"}`, `GET /{page-id}/feed`), reactions/comments summaries and shares on
  https://developers.facebook.com/docs/graph-api/reference/post, `post_impressions` on
  https://developers.facebook.com/docs/graph-api/reference/insights;
- errors: https://developers.facebook.com/docs/graph-api/guides/error-handling (body `{"error":
  {"message", "type", "code", "error_subcode", "fbtrace_id"}}`, HTTP 400; 190 for an invalid or
  expired token, subcode 463 when expired, with a `WWW-Authenticate` header; 506 "Duplicate
  status message"; 2 with `is_transient` for a server-side failure);
- rate limits: https://developers.facebook.com/docs/graph-api/overview/rate-limiting
  (`X-App-Usage` on user-token calls, `X-Business-Use-Case-Usage` with
  `estimated_time_to_regain_access` in minutes on Page-token calls; codes 4, 17, 32, 613, 80001).

Test helpers: `add_user`, `add_page`, `issue_code`, `expire_token`, `storm(n, ...)`,
`set_metrics(post_id, ...)`, `set_followers(page_id, n)`, `fail_next_post_after_create()`.
The Graph API shapes are shared with the Threads fake (`graph_error`, `request_params`, ...).
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from tests.peers.server import FakeApp, Handler, Req, Resp

# --------------------------------------------------------------------------- Graph API shapes


def fbtrace_id() -> str:
    return secrets.token_urlsafe(8)


def graph_error(
    message: str,
    code: int,
    *,
    status: int = 400,
    subcode: int | None = None,
    type_: str = "OAuthException",
    is_transient: bool | None = None,
    headers: dict[str, str] | None = None,
) -> Resp:
    error: dict[str, Any] = {"message": message, "type": type_, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if is_transient is not None:
        error["is_transient"] = is_transient
    error["fbtrace_id"] = fbtrace_id()
    return Resp(status, {"error": error}, dict(headers or {}))


def token_error(message: str, *, subcode: int | None = None) -> Resp:
    """190, as Graph sends it: HTTP 400 and a WWW-Authenticate header."""
    return graph_error(
        message,
        190,
        subcode=subcode,
        headers={"WWW-Authenticate": f'OAuth "Facebook Platform" "invalid_token" "{message}"'},
    )


def request_params(req: Req) -> dict[str, str]:
    """Graph API parameters: the query string and, for a form POST, the body."""
    params = dict(req.query)
    if req.method == "POST" and "application/x-www-form-urlencoded" in req.headers.get(
        "content-type", ""
    ):
        params.update(req.form())
    return params


def request_token(req: Req) -> str:
    params = request_params(req)
    if params.get("access_token"):
        return params["access_token"]
    auth = req.headers.get("authorization", "")
    for scheme in ("bearer ", "oauth "):
        if auth.lower().startswith(scheme):
            return auth[len(scheme) :].strip()
    return ""


def split_fields(fields: str) -> list[str]:
    """`a,b.summary(x,y).limit(0),c` -> ["a", "b.summary(x,y).limit(0)", "c"]."""
    out, depth, current = [], 0, ""
    for char in fields:
        if char == "," and depth == 0:
            if current.strip():
                out.append(current.strip())
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    if current.strip():
        out.append(current.strip())
    return out


def iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(epoch))


class FakeClock:
    """The fake's time: real time plus an offset tests move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class Storm:
    remaining: int = 0
    code: int = 80001
    status: int = 400
    regain_minutes: int = 0
    retry_after: int | None = None


# --------------------------------------------------------------------------- the fake

SHORT_LIVED = 5400  # about 1-2 hours
LONG_LIVED = 5183944  # about 60 days, the figure the documentation shows


@dataclass
class UserToken:
    user_id: str
    expires_at: float
    long_lived: bool


@dataclass
class Page:
    page_id: str
    name: str
    followers_count: int
    fan_count: int
    token: str
    admins: set[str] = field(default_factory=set)


@dataclass
class PagePost:
    post_id: str
    page_id: str
    message: str
    link: str
    created: float
    reactions: int = 0
    comments: int = 0
    shares: int = 0
    impressions: int = 0


class FakeFacebook:
    def __init__(
        self,
        *,
        version: str = "v23.0",
        client_id: str = "fb-app-id",
        client_secret: str = "fb-app-secret",
        redirect_uri: str = "https://portevoix.test/connect/facebook/callback",
        app: FakeApp | None = None,
        base_url: str = "",
    ) -> None:
        self.version = version
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.clock = FakeClock()
        self.lock = threading.RLock()
        self.users: dict[str, str] = {}
        self.codes: dict[str, str] = {}  # code -> user id (single use)
        self.used_codes: set[str] = set()
        self.user_tokens: dict[str, UserToken] = {}
        self.pages: dict[str, Page] = {}
        self.page_tokens: dict[str, str] = {}  # token -> page id
        self.posts: dict[str, PagePost] = {}
        self.storm_state = Storm()
        self.fail_after_create = 0
        self._ids = itertools.count(1001)
        self.base_url = base_url
        # A server may be shared by the tests of a module (starting one costs its shutdown's
        # half-second poll): a new fake takes the app over, routes and call log reset.
        self.app = app if app is not None else FakeApp("facebook")
        with self.app.lock:
            self.app.routes.clear()
            self.app.calls.clear()
        self.app.before = self._before
        self._routes()

    # ---- test helpers

    def add_user(self, user_id: str = "10001", name: str = "Alice Ambassador") -> str:
        self.users[user_id] = name
        return user_id

    def add_page(
        self,
        page_id: str,
        name: str,
        *,
        admins: tuple[str, ...] = ("10001",),
        followers: int = 0,
        fans: int = 0,
    ) -> str:
        token = "EAAP" + secrets.token_hex(16)
        self.pages[page_id] = Page(page_id, name, followers, fans, token, set(admins))
        self.page_tokens[token] = page_id
        return token

    def issue_code(self, user_id: str = "10001") -> str:
        code = "AQ" + secrets.token_hex(12)
        self.codes[code] = user_id
        return code

    def user_token(self, user_id: str = "10001", *, long_lived: bool = True) -> str:
        token = "EAAU" + secrets.token_hex(16)
        life = LONG_LIVED if long_lived else SHORT_LIVED
        self.user_tokens[token] = UserToken(user_id, self.clock.now() + life, long_lived)
        return token

    def expire_token(self, token: str) -> None:
        if token in self.user_tokens:
            self.user_tokens[token].expires_at = self.clock.now() - 1
        elif token in self.page_tokens:
            # A Page token dies with its user's session (password change, app removed).
            self.page_tokens.pop(token)
            self.page_tokens["expired:" + token] = ""

    def storm(
        self,
        n: int,
        *,
        code: int = 80001,
        status: int = 400,
        regain_minutes: int = 0,
        retry_after: int | None = None,
    ) -> None:
        """The next n requests are throttled with this Graph error code (or HTTP status)."""
        self.storm_state = Storm(n, code, status, regain_minutes, retry_after)

    def set_metrics(
        self,
        post_id: str,
        *,
        reactions: int = 0,
        comments: int = 0,
        shares: int = 0,
        impressions: int = 0,
    ) -> None:
        post = self.posts[post_id]
        post.reactions, post.comments = reactions, comments
        post.shares, post.impressions = shares, impressions

    def set_followers(self, page_id: str, followers: int) -> None:
        self.pages[page_id].followers_count = followers

    def fail_next_post_after_create(self, n: int = 1) -> None:
        """The next n feed posts are created, then answered with a transient 500 (the answer
        is lost: the client cannot know the post exists)."""
        self.fail_after_create = n

    def page_posts(self, page_id: str) -> list[PagePost]:
        return sorted(
            (p for p in self.posts.values() if p.page_id == page_id),
            key=lambda p: p.created,
            reverse=True,
        )

    def feed_creations(self) -> int:
        return sum(1 for c in self.app.calls if c.method == "POST" and c.path.endswith("/feed"))

    # ---- plumbing

    def _usage_headers(self, req: Req, *, throttled: Storm | None = None) -> dict[str, str]:
        calls = min(len(self.app.calls), 99)
        token = request_token(req)
        page_id = self.page_tokens.get(token)
        if page_id:
            entry = {
                "type": "pages",
                "call_count": 100 if throttled else calls,
                "total_cputime": 1,
                "total_time": 1,
                "estimated_time_to_regain_access": throttled.regain_minutes if throttled else 0,
            }
            return {"X-Business-Use-Case-Usage": json.dumps({page_id: [entry]})}
        usage = {"call_count": 100 if throttled else calls, "total_cputime": 1, "total_time": 1}
        return {"X-App-Usage": json.dumps(usage)}

    def _before(self, req: Req) -> Resp | None:
        with self.lock:
            storm = self.storm_state
            if storm.remaining <= 0:
                return None
            storm.remaining -= 1
        headers = self._usage_headers(req, throttled=storm)
        if storm.retry_after is not None:
            headers["Retry-After"] = str(storm.retry_after)
        messages = {
            4: "(#4) Application request limit reached",
            17: "(#17) User request limit reached",
            32: "(#32) Page request limit reached",
            613: "(#613) Calls to this api have exceeded the rate limit.",
            80001: "(#80001) There have been too many calls to this Page account. "
            "Wait a bit and try again.",
        }
        return graph_error(
            messages.get(storm.code, "Too many calls"),
            storm.code,
            status=storm.status,
            headers=headers,
        )

    def _route(self, method: str, pattern: str) -> Any:
        def register(handler: Handler) -> Handler:
            def wrapped(req: Req) -> Resp:
                with self.lock:
                    resp = handler(req)
                return Resp(resp.status, resp.body, {**self._usage_headers(req), **resp.headers})

            self.app.route(method, pattern)(wrapped)
            return handler

        return register

    def _user(self, req: Req) -> tuple[str | None, Resp | None]:
        """The user of a user token, or the error to answer."""
        token = request_token(req)
        if not token:
            return None, graph_error("An access token is required to request this resource.", 104)
        found = self.user_tokens.get(token)
        if found is None:
            if token in self.page_tokens:
                return None, graph_error(
                    "(#100) Tried accessing nonexisting field (accounts) on node type (Page)", 100
                )
            return None, token_error("Invalid OAuth access token - Cannot parse access token")
        if found.expires_at <= self.clock.now():
            return None, token_error(
                f"Error validating access token: Session has expired on {iso(found.expires_at)}.",
                subcode=463,
            )
        return found.user_id, None

    def _viewer(self, req: Req) -> tuple[tuple[str, str] | None, Resp | None]:
        """("page", page id) for a Page token, ("user", user id) for a user token."""
        token = request_token(req)
        if token in self.page_tokens:
            return ("page", self.page_tokens[token]), None
        if token.startswith("expired:") or "expired:" + token in self.page_tokens:
            return None, token_error(
                "Error validating access token: The session has been invalidated because the "
                "user changed their password or Facebook has changed the session for security "
                "reasons.",
                subcode=460,
            )
        user_id, error = self._user(req)
        if error is not None or user_id is None:
            return None, error
        return ("user", user_id), None

    def _unsupported(self, object_id: str, method: str = "get") -> Resp:
        return graph_error(
            f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot "
            "be loaded due to missing permissions, or does not support this operation.",
            100,
            subcode=33,
            type_="GraphMethodException",
        )

    # ---- routes

    def _routes(self) -> None:
        v = self.version
        route = self._route

        @route("GET", f"/{v}/oauth/access_token")
        def access_token(req: Req) -> Resp:
            p = request_params(req)
            if p.get("client_id") != self.client_id:
                return graph_error("Error validating application. Invalid application ID.", 101)
            if p.get("client_secret") != self.client_secret:
                return graph_error("Error validating client secret.", 1)
            if p.get("grant_type") == "fb_exchange_token":
                old = self.user_tokens.get(p.get("fb_exchange_token", ""))
                if old is None or old.expires_at <= self.clock.now():
                    return token_error(
                        "Error validating access token: Session has expired.", subcode=463
                    )
                token = self.user_token(old.user_id, long_lived=True)
                return Resp(
                    200, {"access_token": token, "token_type": "bearer", "expires_in": LONG_LIVED}
                )
            code = p.get("code", "")
            if code in self.used_codes:
                return graph_error("This authorization code has been used.", 100, subcode=36009)
            if code not in self.codes:
                return graph_error("Invalid verification code format.", 100)
            if p.get("redirect_uri") != self.redirect_uri:
                return graph_error(
                    "Error validating verification code. Please make sure your redirect_uri is "
                    "identical to the one you used in the OAuth dialog request",
                    100,
                    subcode=36008,
                )
            user_id = self.codes.pop(code)
            self.used_codes.add(code)
            token = self.user_token(user_id, long_lived=False)
            return Resp(
                200, {"access_token": token, "token_type": "bearer", "expires_in": SHORT_LIVED}
            )

        @route("GET", f"/{v}/me/accounts")
        def me_accounts(req: Req) -> Resp:
            user_id, error = self._user(req)
            if error is not None:
                return error
            p = request_params(req)
            fields = split_fields(p.get("fields") or "id,name,access_token")
            pages = [pg for pg in self.pages.values() if user_id in pg.admins]
            limit = int(p.get("limit") or 25)
            start = int(p.get("after") or 0)
            data = []
            for page in pages[start : start + limit]:
                full = {
                    "id": page.page_id,
                    "name": page.name,
                    "access_token": page.token,
                    "followers_count": page.followers_count,
                    "fan_count": page.fan_count,
                    "link": f"https://www.facebook.com/{page.page_id}",
                    "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
                }
                data.append({k: full[k] for k in fields if k in full})
            body: dict[str, Any] = {
                "data": data,
                "paging": {"cursors": {"before": str(start), "after": str(start + limit)}},
            }
            if start + limit < len(pages):
                query = {**p, "after": str(start + limit)}
                body["paging"]["next"] = f"{self.base_url}/{v}/me/accounts?{urlencode(query)}"
            return Resp(200, body)

        @route("GET", f"/{v}/me")
        def me(req: Req) -> Resp:
            user_id, error = self._user(req)
            if error is not None or user_id is None:
                return error or Resp(500)
            return Resp(200, {"id": user_id, "name": self.users.get(user_id, "")})

        @route("POST", f"/{v}/{{page_id}}/feed")
        def create_post(req: Req) -> Resp:
            page_id = req.params["page_id"]
            viewer, error = self._viewer(req)
            if error is not None or viewer is None:
                return error or Resp(500)
            if page_id not in self.pages:
                return self._unsupported(page_id, "post")
            if viewer != ("page", page_id):
                return graph_error(
                    "(#200) If posting to a page, requires both pages_read_engagement and "
                    "pages_manage_posts as an admin with sufficient administrative permission",
                    200,
                )
            p = request_params(req)
            message, link = p.get("message", ""), p.get("link", "")
            if not message and not link:
                return graph_error("(#100) Missing message or attachment", 100)
            latest = self.page_posts(page_id)[:1]
            if latest and latest[0].message == message and message:
                return graph_error("(#506) Duplicate status message", 506)
            post_id = f"{page_id}_{next(self._ids)}"
            self.posts[post_id] = PagePost(post_id, page_id, message, link, self.clock.now())
            if self.fail_after_create > 0:
                self.fail_after_create -= 1
                return graph_error(
                    "An unexpected error has occurred. Please retry your request later.",
                    2,
                    status=500,
                    is_transient=True,
                )
            return Resp(200, {"id": post_id})

        @route("GET", f"/{v}/{{page_id}}/feed")
        def read_feed(req: Req) -> Resp:
            page_id = req.params["page_id"]
            viewer, error = self._viewer(req)
            if error is not None or viewer is None:
                return error or Resp(500)
            page = self.pages.get(page_id)
            if page is None:
                return self._unsupported(page_id)
            if viewer != ("page", page_id) and viewer[1] not in page.admins:
                return graph_error("(#10) This endpoint requires the 'pages_read_engagement'", 10)
            p = request_params(req)
            fields = split_fields(p.get("fields") or "id,message,created_time")
            limit = min(int(p.get("limit") or 25), 100)
            data = []
            for post in self.page_posts(page_id)[:limit]:
                full = {
                    "id": post.post_id,
                    "message": post.message,
                    "link": post.link,
                    "created_time": iso(post.created),
                }
                data.append({k: full[k] for k in fields if full.get(k)})
            return Resp(200, {"data": data, "paging": {"cursors": {"before": "0", "after": "1"}}})

        @route("GET", f"/{v}/{{post_id}}/insights")
        def post_insights(req: Req) -> Resp:
            post_id = req.params["post_id"]
            _viewer, error = self._viewer(req)
            if error is not None:
                return error
            post = self.posts.get(post_id)
            if post is None:
                return self._unsupported(post_id)
            data = []
            for metric in (request_params(req).get("metric") or "").split(","):
                if metric != "post_impressions":
                    return graph_error("(#100) The value must be a valid insights metric", 100)
                data.append(
                    {
                        "name": "post_impressions",
                        "period": "lifetime",
                        "values": [{"value": post.impressions}],
                        "title": "Lifetime Post Total Impressions",
                        "description": "Lifetime: The number of times your Page's post entered "
                        "a person's screen.",
                        "id": f"{post_id}/insights/post_impressions/lifetime",
                    }
                )
            return Resp(200, {"data": data, "paging": {}})

        @route("GET", f"/{v}/{{object_id}}")
        def read_object(req: Req) -> Resp:
            object_id = req.params["object_id"]
            _viewer, error = self._viewer(req)
            if error is not None:
                return error
            fields = split_fields(request_params(req).get("fields") or "id")
            if object_id in self.pages:
                page = self.pages[object_id]
                full: dict[str, Any] = {
                    "id": page.page_id,
                    "name": page.name,
                    "followers_count": page.followers_count,
                    "fan_count": page.fan_count,
                    "link": f"https://www.facebook.com/{page.page_id}",
                }
                return Resp(200, {k: full[k] for k in ["id", *fields] if k in full})
            post = self.posts.get(object_id)
            if post is None:
                return self._unsupported(object_id)
            body: dict[str, Any] = {"id": post.post_id}
            for name in fields:
                edge = name.split(".", 1)[0]
                if edge == "reactions":
                    body["reactions"] = {
                        "data": [],
                        "summary": {"total_count": post.reactions, "viewer_reaction": "NONE"},
                    }
                elif edge == "comments":
                    body["comments"] = {
                        "data": [],
                        "summary": {
                            "order": "ranked",
                            "total_count": post.comments,
                            "can_comment": True,
                        },
                    }
                elif edge == "shares":
                    if post.shares:  # absent until the post is shared once
                        body["shares"] = {"count": post.shares}
                elif edge == "message":
                    body["message"] = post.message
                elif edge == "created_time":
                    body["created_time"] = iso(post.created)
            return Resp(200, body)
