"""A local fake of the X API v2 and its OAuth 2.0 server, for the X connector's tests.

It follows these documentation pages (read through the docs search, 2026):

- OAuth 2.0 Authorization Code Flow with PKCE,
  https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code and
  https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token:
  `GET /i/oauth2/authorize` (response_type=code, client_id, redirect_uri, scope, state,
  code_challenge, code_challenge_method), `POST /2/oauth2/token` (form body; a confidential
  client authenticates with HTTP Basic client_id:client_secret, a public client sends
  client_id in the body), access tokens valid two hours (`expires_in: 7200`), a refresh
  token only with `offline.access`, `grant_type=refresh_token`, `POST /2/oauth2/revoke`.
  Refresh tokens rotate: a refresh hands out a new refresh token and the old one stops
  working. Token errors are the ones X answers in practice (reported in the
  xdevplatform/twitter-api-typescript-sdk#26 and plhery/node-twitter-api-v2#496 threads):
  400 `{"error": "invalid_request", "error_description": "Value passed for the code
  verifier did not match the code challenge."}` and the like.
- Rate limits, https://docs.x.com/fundamentals/rate-limits: every response carries
  `x-rate-limit-limit`, `x-rate-limit-remaining`, `x-rate-limit-reset` (Unix epoch seconds),
  15-minute windows per user and endpoint; a 429 answers
  `{"errors": [{"code": 88, "message": "Rate limit exceeded"}]}`.
- Create Post, https://docs.x.com/x-api/posts/creation-of-a-post: `POST /2/tweets`
  `{"text": ...}` -> 201 `{"data": {"id", "text"}}`, where `text` has its links wrapped as
  t.co. A duplicate of a recent post of the same account is refused with 403
  `{"detail": "You are not allowed to create a Tweet with duplicate content.", "type":
  "about:blank", "title": "Forbidden", "status": 403}`.
- User Posts timeline `GET /2/users/:id/tweets` (max_results 5..100, tweet.fields,
  exclude, pagination_token) and Post lookup `GET /2/tweets?ids=` (up to 100 ids),
  https://docs.x.com/x-api/posts/lookup: fields only when asked for (`entities` with
  `urls[].url/expanded_url/display_url`, `public_metrics`, `created_at`); unknown ids come
  back in `errors` with a resource-not-found problem.
- `GET /2/users/me` with `user.fields` (public_metrics.followers_count...).
- Authentication problems: 401 `{"title": "Unauthorized", "type": "about:blank",
  "status": 401, "detail": "Unauthorized"}`.

Test helpers: `add_user`, `authorize` (skip the consent screen), `add_tweet`,
`set_metrics`, `expire_access_token`, `storm(n)` (the next n API calls get 429),
`lose_next_response(delay)` (the next POST /2/tweets creates the post but answers too late).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import re
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

from tests.peers.server import FakeApp, Req, Resp

AUTHORIZE_PATH = "/i/oauth2/authorize"
TOKEN_PATH = "/2/oauth2/token"
REVOKE_PATH = "/2/oauth2/revoke"

ACCESS_TTL = 7200
WINDOW = 15 * 60
KNOWN_SCOPES = {
    "tweet.read",
    "tweet.write",
    "tweet.moderate.write",
    "users.read",
    "follows.read",
    "follows.write",
    "offline.access",
    "like.read",
    "like.write",
    "list.read",
    "list.write",
}
DEFAULT_SCOPES = ("tweet.read", "tweet.write", "users.read", "offline.access")
# Per-user limits of a 15-minute window (the documented orders of magnitude).
LIMITS = {
    ("POST", "/2/tweets"): 100,
    ("GET", "/2/users/me"): 75,
    ("GET", "/2/users/{id}/tweets"): 900,
    ("GET", "/2/tweets"): 900,
}
_URL = re.compile(r"https?://[^\s]+")
_TCO_ALPHABET = string.ascii_letters + string.digits


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _problem(status: int, title: str, detail: str, type_: str = "about:blank") -> dict[str, Any]:
    return {"title": title, "type": type_, "status": status, "detail": detail}


def _invalid_request(message: str, parameter: str, value: str) -> Resp:
    return Resp(
        400,
        {
            "errors": [{"parameters": {parameter: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )


def _oauth_error(description: str, error: str = "invalid_request", status: int = 400) -> Resp:
    return Resp(status, {"error": error, "error_description": description})


@dataclass
class User:
    id: str
    username: str
    name: str
    followers: int = 0
    following: int = 0


@dataclass
class Tweet:
    id: str
    author_id: str
    original: str  # the text as sent
    text: str  # the text as X shows it: links wrapped as t.co
    urls: list[dict[str, Any]]
    created_at: dt.datetime
    metrics: dict[str, int] = field(
        default_factory=lambda: {
            "retweet_count": 0,
            "reply_count": 0,
            "like_count": 0,
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 0,
        }
    )


@dataclass
class AccessToken:
    user_id: str
    scopes: set[str]
    expires_at: float


class FakeX:
    """The fake. `client_secret` empty = a public client (client_id in the body)."""

    def __init__(
        self,
        *,
        client_id: str = "x-client-id",
        client_secret: str = "x-client-secret",
        redirect_uris: tuple[str, ...] = ("https://portevoix.test/connect/x/callback",),
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = set(redirect_uris)
        self.app = FakeApp("x")
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.tweets: list[Tweet] = []  # oldest first
        self.codes: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, tuple[str, set[str]]] = {}
        self.revoked: set[str] = set()
        self.windows: dict[tuple[str, str, str], tuple[int, int]] = {}  # -> (reset, used)
        self._ids = itertools.count(1_790_000_000_000_000_001)
        self._storm_left = 0
        self.storm_reset = 0
        self._lose_delay = 0.0
        # Set once a lost answer was finally written (tests wait for it, so that the
        # server's broken-pipe report lands inside the test that caused it).
        self.late_answer_sent = threading.Event()
        self.default_user = self.add_user("2244994945", "AmbassadorAnna", "Anna Ambassador", 1234)
        self._routes()
        self.app.before = self._before

    # ------------------------------------------------------------------ test helpers

    def add_user(self, user_id: str, username: str, name: str, followers: int = 0) -> User:
        user = User(user_id, username, name, followers)
        with self.lock:
            self.users[user_id] = user
        return user

    def authorize(
        self,
        *,
        redirect_uri: str,
        code_challenge: str,
        scope: str = "tweet.read tweet.write users.read offline.access",
        user: User | None = None,
    ) -> str:
        """The user consented: a code, as the redirect to `redirect_uri` would carry."""
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "challenge": code_challenge,
                "scopes": set(scope.split()),
                "user_id": (user or self.default_user).id,
            }
        return code

    def issue_tokens(
        self, user: User | None = None, scopes: set[str] | None = None
    ) -> dict[str, Any]:
        """Tokens as if an authorization had just happened (skips the flow)."""
        return self._issue((user or self.default_user).id, scopes or set(DEFAULT_SCOPES))

    def add_tweet(
        self, text: str, user: User | None = None, *, when: dt.datetime | None = None
    ) -> Tweet:
        """A post made outside our connector (the user's own, or one whose answer was lost)."""
        with self.lock:
            return self._create_tweet((user or self.default_user).id, text, when)

    def tweet(self, tweet_id: str) -> Tweet | None:
        with self.lock:
            return next((t for t in self.tweets if t.id == tweet_id), None)

    def tweets_of(self, user: User | None = None) -> list[Tweet]:
        user_id = (user or self.default_user).id
        with self.lock:
            return [t for t in self.tweets if t.author_id == user_id]

    def set_metrics(self, tweet_id: str, **metrics: int) -> None:
        with self.lock:
            tweet = self.tweet(tweet_id)
            assert tweet is not None, tweet_id
            tweet.metrics.update(metrics)

    def expire_access_token(self, token: str) -> None:
        with self.lock:
            self.access_tokens[token].expires_at = time.time() - 1

    def storm(self, n: int, reset_in: int = 600) -> int:
        """The next `n` API requests answer 429; returns the x-rate-limit-reset they carry."""
        with self.lock:
            self._storm_left = n
            self.storm_reset = int(time.time()) + reset_in
            return self.storm_reset

    def lose_next_response(self, delay: float = 2.0) -> None:
        """The next POST /2/tweets creates the post, then answers only after `delay` seconds
        (longer than the client's timeout: the client never sees the answer)."""
        with self.lock:
            self._lose_delay = delay
            self.late_answer_sent.clear()

    def wait_late_answer(self, timeout: float = 5.0) -> None:
        """Wait until the lost answer went out (to a client that left long ago)."""
        assert self.late_answer_sent.wait(timeout)
        time.sleep(0.1)

    # ------------------------------------------------------------------ internals

    def _issue(self, user_id: str, scopes: set[str]) -> dict[str, Any]:
        access = secrets.token_urlsafe(32)
        body: dict[str, Any] = {
            "token_type": "bearer",
            "expires_in": ACCESS_TTL,
            "access_token": access,
            "scope": " ".join(sorted(scopes)),
        }
        with self.lock:
            self.access_tokens[access] = AccessToken(user_id, scopes, time.time() + ACCESS_TTL)
            if "offline.access" in scopes:
                refresh = secrets.token_urlsafe(32)
                self.refresh_tokens[refresh] = (user_id, scopes)
                body["refresh_token"] = refresh
        return body

    def _wrap_links(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        out: list[str] = []
        urls: list[dict[str, Any]] = []
        last = 0
        position = 0  # in code points, as X counts
        for match in _URL.finditer(text):
            expanded = match.group(0).rstrip(".,!?;:)\"'")
            out.append(text[last : match.start()])
            position += len(text[last : match.start()])
            tco = "https://t.co/" + "".join(secrets.choice(_TCO_ALPHABET) for _ in range(10))
            display = re.sub(r"^https?://(www\.)?", "", expanded)
            if len(display) > 26:
                display = display[:25] + "\u2026"
            urls.append(
                {
                    "start": position,
                    "end": position + len(tco),
                    "url": tco,
                    "expanded_url": expanded,
                    "display_url": display,
                }
            )
            out.append(tco)
            position += len(tco)
            last = match.start() + len(expanded)
        out.append(text[last:])
        return "".join(out), urls

    def _create_tweet(self, user_id: str, text: str, when: dt.datetime | None = None) -> Tweet:
        wrapped, urls = self._wrap_links(text)
        tweet = Tweet(
            id=str(next(self._ids)),
            author_id=user_id,
            original=text,
            text=wrapped,
            urls=urls,
            created_at=when or dt.datetime.now(dt.UTC),
        )
        self.tweets.append(tweet)
        return tweet

    def _limit_key(self, req: Req) -> tuple[str, str] | None:
        if req.method == "GET" and re.fullmatch(r"/2/users/[^/]+/tweets", req.path):
            return ("GET", "/2/users/{id}/tweets")
        key = (req.method, req.path)
        return key if key in LIMITS else None

    def _rate_headers(self, req: Req, who: str) -> dict[str, str]:
        key = self._limit_key(req)
        if key is None:
            return {}
        limit = LIMITS[key]
        now = int(time.time())
        with self.lock:
            reset, used = self.windows.get((who, *key), (now + WINDOW, 0))
            if reset <= now:
                reset, used = now + WINDOW, 0
            used += 1
            self.windows[(who, *key)] = (reset, used)
        return {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(limit - used, 0)),
            "x-rate-limit-reset": str(reset),
        }

    def _before(self, req: Req) -> Resp | None:
        if req.path.startswith("/2/oauth2/") or req.path.startswith("/i/"):
            return None
        with self.lock:
            if self._storm_left > 0:
                self._storm_left -= 1
                key = self._limit_key(req)
                limit = LIMITS[key] if key else 900
                return Resp(
                    429,
                    {"errors": [{"code": 88, "message": "Rate limit exceeded"}]},
                    {
                        "x-rate-limit-limit": str(limit),
                        "x-rate-limit-remaining": "0",
                        "x-rate-limit-reset": str(self.storm_reset),
                    },
                )
        return None

    def _user_for(self, req: Req) -> tuple[User | None, AccessToken | None, Resp | None]:
        token = req.bearer()
        with self.lock:
            record = self.access_tokens.get(token)
            if record is None or record.expires_at <= time.time() or token in self.revoked:
                return None, None, Resp(401, _problem(401, "Unauthorized", "Unauthorized"))
            return self.users[record.user_id], record, None

    def _client_ok(self, req: Req, form: dict[str, str]) -> Resp | None:
        """Client authentication at the token and revoke endpoints."""
        if self.client_secret:
            header = req.headers.get("authorization", "")
            if not header.lower().startswith("basic "):
                return _oauth_error(
                    "Missing valid authorization header", error="unauthorized_client", status=401
                )
            try:
                raw = base64.b64decode(header[6:]).decode("utf-8")
            except ValueError:
                raw = ""
            cid, _, secret = raw.partition(":")
            if unquote(cid) != self.client_id or unquote(secret) != self.client_secret:
                return _oauth_error(
                    "Missing valid authorization header", error="unauthorized_client", status=401
                )
            return None
        if form.get("client_id") != self.client_id:
            return _oauth_error("Missing required parameter [client_id].")
        return None

    # ------------------------------------------------------------------ routes

    def _routes(self) -> None:
        app = self.app

        @app.route("GET", AUTHORIZE_PATH)
        def authorize(req: Req) -> Resp:
            q = req.query
            problems = []
            if q.get("response_type") != "code":
                problems.append("response_type")
            if q.get("client_id") != self.client_id:
                problems.append("client_id")
            if q.get("redirect_uri") not in self.redirect_uris:
                problems.append("redirect_uri")
            scopes = set((q.get("scope") or "").split())
            if not scopes or not scopes <= KNOWN_SCOPES:
                problems.append("scope")
            if not q.get("state"):
                problems.append("state")
            if not q.get("code_challenge"):
                problems.append("code_challenge")
            if q.get("code_challenge_method") not in ("S256", "plain"):
                problems.append("code_challenge_method")
            if problems:
                return Resp(400, f"Something went wrong: invalid {', '.join(problems)}")
            challenge = q["code_challenge"]
            if q["code_challenge_method"] == "plain":
                challenge = s256(challenge)  # stored as S256 for one comparison below
            code = self.authorize(
                redirect_uri=q["redirect_uri"], code_challenge=challenge, scope=q["scope"]
            )
            location = q["redirect_uri"] + "?" + urlencode({"state": q["state"], "code": code})
            return Resp(302, "", {"Location": location})

        @app.route("POST", TOKEN_PATH)
        def token(req: Req) -> Resp:
            form = req.form()
            refused = self._client_ok(req, form)
            if refused:
                return refused
            grant = form.get("grant_type")
            if grant == "authorization_code":
                code = form.get("code", "")
                with self.lock:
                    grant_data = self.codes.pop(code, None)
                if grant_data is None:
                    return _oauth_error("Value passed for the authorization code was invalid.")
                if form.get("redirect_uri") != grant_data["redirect_uri"]:
                    return _oauth_error(
                        "Value passed for the redirect uri did not match the uri of the "
                        "authorization code."
                    )
                verifier = form.get("code_verifier")
                if not verifier:
                    return _oauth_error("Missing required parameter [code_verifier].")
                if s256(verifier) != grant_data["challenge"]:
                    return _oauth_error(
                        "Value passed for the code verifier did not match the code challenge."
                    )
                return Resp(200, self._issue(grant_data["user_id"], grant_data["scopes"]))
            if grant == "refresh_token":
                with self.lock:
                    # Rotation: the refresh token is used up, a new one comes back.
                    entry = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
                if entry is None:
                    return _oauth_error("Value passed for the token was invalid.")
                user_id, scopes = entry
                return Resp(200, self._issue(user_id, scopes))
            return _oauth_error("Missing required parameter [grant_type].")

        @app.route("POST", REVOKE_PATH)
        def revoke(req: Req) -> Resp:
            form = req.form()
            refused = self._client_ok(req, form)
            if refused:
                return refused
            token = form.get("token", "")
            with self.lock:
                self.revoked.add(token)
                self.access_tokens.pop(token, None)
                self.refresh_tokens.pop(token, None)
            return Resp(200, {"revoked": True})

        @app.route("GET", "/2/users/me")
        def me(req: Req) -> Resp:
            user, _token, refused = self._user_for(req)
            if refused:
                return refused
            assert user is not None
            headers = self._rate_headers(req, user.id)
            fields = set((req.query.get("user.fields") or "").split(","))
            data: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
            if "public_metrics" in fields:
                data["public_metrics"] = {
                    "followers_count": user.followers,
                    "following_count": user.following,
                    "tweet_count": len(self.tweets_of(user)),
                    "listed_count": 0,
                    "like_count": 0,
                    "media_count": 0,
                }
            return Resp(200, {"data": data}, headers)

        @app.route("POST", "/2/tweets")
        def create(req: Req) -> Resp:
            user, token, refused = self._user_for(req)
            if refused:
                return refused
            assert user is not None and token is not None
            headers = self._rate_headers(req, user.id)
            if not {"tweet.write", "tweet.read", "users.read"} <= token.scopes:
                return Resp(
                    403,
                    _problem(403, "Forbidden", "You are not permitted to perform this action."),
                    headers,
                )
            try:
                body = req.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                return _invalid_request("Request body is not valid JSON.", "body", "")
            text = body.get("text")
            if not isinstance(text, str) or not text.strip():
                return _invalid_request("text is required.", "text", str(text))
            wrapped, _urls = self._wrap_links(text)
            if len(wrapped) > 280:
                return _invalid_request(
                    "Your Tweet text is too long. For more information on how X counts "
                    "characters, see https://docs.x.com/resources/fundamentals/counting-characters",
                    "text",
                    text,
                )
            with self.lock:
                if any(t.author_id == user.id and t.original == text for t in self.tweets):
                    return Resp(
                        403,
                        _problem(
                            403,
                            "Forbidden",
                            "You are not allowed to create a Tweet with duplicate content.",
                        ),
                        headers,
                    )
                tweet = self._create_tweet(user.id, text)
                delay, self._lose_delay = self._lose_delay, 0.0
            if delay:
                time.sleep(delay)
                self.late_answer_sent.set()
            return Resp(
                201,
                {
                    "data": {
                        "id": tweet.id,
                        "text": tweet.text,
                        "edit_history_tweet_ids": [tweet.id],
                    }
                },
                headers,
            )

        @app.route("GET", "/2/users/{user_id}/tweets")
        def timeline(req: Req) -> Resp:
            user, _token, refused = self._user_for(req)
            if refused:
                return refused
            assert user is not None
            headers = self._rate_headers(req, user.id)
            owner = req.params["user_id"]
            if owner not in self.users:
                return Resp(
                    200,
                    {
                        "errors": [
                            {
                                "value": owner,
                                "detail": f"Could not find user with id: [{owner}].",
                                "title": "Not Found Error",
                                "resource_type": "user",
                                "parameter": "id",
                                "resource_id": owner,
                                "type": "https://api.twitter.com/2/problems/resource-not-found",
                            }
                        ]
                    },
                    headers,
                )
            raw_max = req.query.get("max_results", "10")
            if not raw_max.isdigit() or not 5 <= int(raw_max) <= 100:
                return _invalid_request(
                    f"The `max_results` query parameter value [{raw_max}] is not between 5 and 100",
                    "max_results",
                    raw_max,
                )
            fields = set((req.query.get("tweet.fields") or "").split(","))
            # `exclude` (retweets, replies) changes nothing: the fake has neither.
            with self.lock:
                mine = [t for t in reversed(self.tweets) if t.author_id == owner]
            start = int(req.query.get("pagination_token") or 0)
            page = mine[start : start + int(raw_max)]
            meta: dict[str, Any] = {"result_count": len(page)}
            if page:
                meta["newest_id"], meta["oldest_id"] = page[0].id, page[-1].id
            if start + int(raw_max) < len(mine):
                meta["next_token"] = str(start + int(raw_max))
            body: dict[str, Any] = {"meta": meta}
            if page:
                body["data"] = [self._render(t, fields) for t in page]
            return Resp(200, body, headers)

        @app.route("GET", "/2/tweets")
        def lookup(req: Req) -> Resp:
            user, _token, refused = self._user_for(req)
            if refused:
                return refused
            assert user is not None
            headers = self._rate_headers(req, user.id)
            ids = [i for i in (req.query.get("ids") or "").split(",") if i]
            if not ids or len(ids) > 100:
                return _invalid_request(
                    f"The `ids` query parameter value [{len(ids)} ids] is not between 1 and 100",
                    "ids",
                    req.query.get("ids", ""),
                )
            fields = set((req.query.get("tweet.fields") or "").split(","))
            data, errors = [], []
            for tweet_id in ids:
                tweet = self.tweet(tweet_id)
                if tweet is None:
                    errors.append(
                        {
                            "value": tweet_id,
                            "detail": f"Could not find tweet with ids: [{tweet_id}].",
                            "title": "Not Found Error",
                            "resource_type": "tweet",
                            "parameter": "ids",
                            "resource_id": tweet_id,
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    )
                else:
                    data.append(self._render(tweet, fields))
            body: dict[str, Any] = {}
            if data:
                body["data"] = data
            if errors:
                body["errors"] = errors
            return Resp(200, body, headers)

    def _render(self, tweet: Tweet, fields: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": tweet.id,
            "text": tweet.text,
            "edit_history_tweet_ids": [tweet.id],
        }
        if "created_at" in fields:
            out["created_at"] = tweet.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        if "author_id" in fields:
            out["author_id"] = tweet.author_id
        if "entities" in fields and tweet.urls:
            out["entities"] = {"urls": [dict(u) for u in tweet.urls]}
        if "public_metrics" in fields:
            out["public_metrics"] = dict(tweet.metrics)
        return out
